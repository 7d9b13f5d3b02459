import { communityId, type BeatEvent, type EventFields } from '@packetbeat-ts/libbeat';
import { IsoMicros, microsToDate } from '../publish/timestamps.js';

/** Decides `network.direction` (as `packetbeat.interfaces.internal_networks`). */
export type InternalNetworkTest = (ip: Uint8Array) => boolean;

/** One report of a flow: what its document is made of. */
export interface FlowReport {
  /** `flow.id`. */
  readonly id: string;
  /** True for the last report of the flow (idle timeout or end of capture). */
  readonly final: boolean;
  /** When the report is made (packet time, µs): the document's @timestamp. */
  readonly reportUs: number;
  /** First and last packet of the flow (µs). */
  readonly startUs: number;
  readonly endUs: number;
  readonly ipVersion: number;
  /** IANA protocol number. */
  readonly protocol: number;
  /** VLAN ids, outer first. */
  readonly vlans: readonly number[];
  readonly sourceIp: string;
  readonly destinationIp: string;
  readonly sourceIpBytes: Uint8Array;
  readonly destinationIpBytes: Uint8Array;
  /** TCP/UDP ports (0 otherwise). */
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** ICMP type and code of the flow's first packet, -1 when not ICMP. */
  readonly icmpType: number;
  readonly icmpCode: number;
  /** `AA-BB-CC-DD-EE-FF`, when the first packet was an Ethernet frame. */
  readonly sourceMac?: string;
  readonly destinationMac?: string;
  readonly sourcePackets: number;
  readonly sourceBytes: number;
  readonly destinationPackets: number;
  readonly destinationBytes: number;
}

const startIso = new IsoMicros();
const endIso = new IsoMicros();

const TRANSPORTS: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'ipv6-icmp' };

/**
 * The flow document as Packetbeat's flows worker writes it: `type: flow`,
 * `event.*` (duration in ns; `event.type` gains `end` in the final report),
 * `flow.{id, final, vlan}`, `source`/`destination` with per-side `bytes` and
 * `packets`, `network.*` with totals and `community_id`; plus `related.ip`
 * and, when internal networks are configured, `network.direction`.
 */
export function flowEvent(r: FlowReport, internal: readonly InternalNetworkTest[]): BeatEvent {
  const event: EventFields = {
    start: startIso.format(r.startUs),
    end: endIso.format(r.endUs),
    duration: Math.round((r.endUs - r.startUs) * 1000),
    dataset: 'flow',
    kind: 'event',
    category: ['network'],
    action: 'network_flow',
    type: r.final ? ['connection', 'end'] : ['connection'],
  };

  const flow: EventFields = { id: r.id, final: r.final };
  if (r.vlans.length === 1) flow['vlan'] = r.vlans[0];
  else if (r.vlans.length > 1) flow['vlan'] = [...r.vlans];

  const source: EventFields = {};
  const destination: EventFields = {};
  if (r.sourceMac !== undefined && r.destinationMac !== undefined) {
    source['mac'] = r.sourceMac;
    destination['mac'] = r.destinationMac;
  }
  source['ip'] = r.sourceIp;
  destination['ip'] = r.destinationIp;

  const network: EventFields = { type: r.ipVersion === 6 ? 'ipv6' : 'ipv4' };
  const transport = TRANSPORTS[r.protocol];
  if (transport !== undefined) network['transport'] = transport;

  const isPortProtocol = r.protocol === 6 || r.protocol === 17;
  if (isPortProtocol) {
    source['port'] = r.sourcePort;
    destination['port'] = r.destinationPort;
  }
  source['bytes'] = r.sourceBytes;
  source['packets'] = r.sourcePackets;
  destination['bytes'] = r.destinationBytes;
  destination['packets'] = r.destinationPackets;

  network['community_id'] = communityId(
    r.icmpType >= 0
      ? { sourceIP: r.sourceIpBytes, destinationIP: r.destinationIpBytes, protocol: r.protocol, icmpType: r.icmpType, icmpCode: r.icmpCode }
      : isPortProtocol
        ? { sourceIP: r.sourceIpBytes, destinationIP: r.destinationIpBytes, protocol: r.protocol, sourcePort: r.sourcePort, destinationPort: r.destinationPort }
        : { sourceIP: r.sourceIpBytes, destinationIP: r.destinationIpBytes, protocol: r.protocol },
  );
  network['bytes'] = r.sourceBytes + r.destinationBytes;
  network['packets'] = r.sourcePackets + r.destinationPackets;
  const direction = networkDirection(r.sourceIpBytes, r.destinationIpBytes, internal);
  if (direction !== undefined) network['direction'] = direction;

  const fields: EventFields = {
    type: 'flow',
    event,
    flow,
    network,
    source,
    destination,
    related: { ip: r.sourceIp === r.destinationIp ? [r.sourceIp] : [r.sourceIp, r.destinationIp] },
  };
  return { timestamp: microsToDate(r.reportUs), fields };
}

/** ECS `network.direction` from the internal networks: inbound, outbound, internal or external. */
function networkDirection(src: Uint8Array, dst: Uint8Array, internal: readonly InternalNetworkTest[]): string | undefined {
  if (internal.length === 0) return undefined;
  const srcInternal = internal.some((test) => test(src));
  const dstInternal = internal.some((test) => test(dst));
  if (srcInternal && dstInternal) return 'internal';
  if (srcInternal) return 'outbound';
  if (dstInternal) return 'inbound';
  return 'external';
}
