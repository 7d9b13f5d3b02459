import { createHash } from 'node:crypto';
import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { compareBytes, parseIP, type IPBytes } from '../conditions/ip.js';
import { errorMessage } from '../errors.js';
import { ConfigReader } from './config.js';
import { getEventValue, hasEventValue, putEventValue } from './event-fields.js';
import type { Processor, ProcessorFactory } from './processor.js';

/** A flow as Community ID v1 sees it. */
export interface Flow {
  readonly sourceIP: IPBytes;
  readonly destinationIP: IPBytes;
  readonly protocol: number;
  readonly sourcePort?: number;
  readonly destinationPort?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

const ICMP = 1;
const TCP = 6;
const UDP = 17;
const ICMPV6 = 58;
const SCTP = 132;

/** Transport names Beats maps to IANA numbers. */
const TRANSPORTS: ReadonlyMap<string, number> = new Map([
  ['icmp', ICMP],
  ['igmp', 2],
  ['tcp', TCP],
  ['udp', UDP],
  ['gre', 47],
  ['ipv6-icmp', ICMPV6],
  ['icmpv6', ICMPV6],
  ['eigrp', 88],
  ['ospf', 89],
  ['pim', 103],
  ['sctp', SCTP],
]);

// ICMP message types whose "counter-type" makes request and reply one flow (Zeek's table, as pycommunityid).
const ICMPV4_COUNTERPART: ReadonlyMap<number, number> = new Map([
  [8, 0], // echo request / reply
  [0, 8],
  [13, 14], // timestamp
  [14, 13],
  [15, 16], // information
  [16, 15],
  [10, 9], // router solicitation / advertisement
  [9, 10],
  [17, 18], // address mask
  [18, 17],
]);

const ICMPV6_COUNTERPART: ReadonlyMap<number, number> = new Map([
  [128, 129], // echo request / reply
  [129, 128],
  [130, 131], // multicast listener query / report
  [131, 130],
  [133, 134], // router solicitation / advertisement
  [134, 133],
  [135, 136], // neighbor solicitation / advertisement
  [136, 135],
  [139, 140], // who-are-you request / reply
  [140, 139],
  [144, 145], // home agent address discovery request / reply
  [145, 144],
]);

function portBytes(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(port & 0xffff);
  return b;
}

/**
 * Community ID v1 (corelight/community-id-spec): SHA-1 over seed, the
 * ordered endpoints, protocol, a zero pad byte and, for port-bearing
 * protocols, the ports; ICMP types/codes stand in for ports.
 */
export function communityId(flow: Flow, seed = 0): string {
  let srcIP = flow.sourceIP;
  let dstIP = flow.destinationIP;
  let srcPort = flow.sourcePort ?? 0;
  let dstPort = flow.destinationPort ?? 0;
  let oneWay = false;

  if (flow.protocol === ICMP || flow.protocol === ICMPV6) {
    const table = flow.protocol === ICMP ? ICMPV4_COUNTERPART : ICMPV6_COUNTERPART;
    const type = flow.icmpType ?? 0;
    const counterpart = table.get(type);
    srcPort = type;
    dstPort = counterpart ?? flow.icmpCode ?? 0;
    oneWay = counterpart === undefined;
  }

  // Order endpoints so the smaller IP (then port) comes first; one-way ICMP keeps its direction.
  const cmp = compareBytes(srcIP, dstIP);
  if (!oneWay && (cmp > 0 || (cmp === 0 && srcPort > dstPort))) {
    [srcIP, dstIP] = [dstIP, srcIP];
    [srcPort, dstPort] = [dstPort, srcPort];
  }

  const seedBytes = Buffer.alloc(2);
  seedBytes.writeUInt16BE(seed);
  const hash = createHash('sha1');
  hash.update(seedBytes);
  hash.update(srcIP);
  hash.update(dstIP);
  hash.update(Buffer.from([flow.protocol & 0xff, 0]));
  if ([TCP, UDP, SCTP, ICMP, ICMPV6].includes(flow.protocol)) {
    hash.update(portBytes(srcPort));
    hash.update(portBytes(dstPort));
  }
  return `1:${hash.digest('base64')}`;
}

/** Beats' tryToUint: non-negative integers, or strings in Go's base-0 syntax. */
function toUint(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'bigint') return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9]\d*|0))$/.exec(value);
  if (m === null) return undefined;
  if (m[1] !== undefined) return parseInt(m[1], 16);
  if (m[2] !== undefined) return parseInt(m[2], 8);
  if (m[3] !== undefined) return parseInt(m[3], 2);
  return Number(m[4]);
}

function toIP(value: unknown): IPBytes | undefined {
  return typeof value === 'string' ? (parseIP(value) ?? undefined) : undefined;
}

function toProtocol(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const known = TRANSPORTS.get(value) ?? TRANSPORTS.get(value.toLowerCase());
    if (known !== undefined) return known;
  }
  const n = toUint(value);
  // Beats keeps the low byte, as a Go uint8 conversion does.
  return n === undefined ? undefined : n & 0xff;
}

export interface CommunityIdFields {
  readonly sourceIP: string;
  readonly sourcePort: string;
  readonly destinationIP: string;
  readonly destinationPort: string;
  readonly ianaNumber: string;
  readonly transport: string;
  readonly icmpType: string;
  readonly icmpCode: string;
}

/**
 * `community_id`: computes the flow's Community ID into `target` (default
 * `network.community_id`) unless already set. Events without a complete
 * flow tuple are left alone, as in Beats.
 */
export class CommunityIdProcessor implements Processor {
  readonly name = 'community_id';

  constructor(
    private readonly fields: CommunityIdFields,
    private readonly target: string,
    private readonly seed: number,
    private readonly logger: Logger,
  ) {}

  /** Reads the flow from the event; undefined if any required part is missing or invalid. */
  buildFlow(event: BeatEvent): Flow | undefined {
    const f = this.fields;
    const sourceIP = toIP(getEventValue(event, f.sourceIP));
    const destinationIP = toIP(getEventValue(event, f.destinationIP));
    if (sourceIP === undefined || destinationIP === undefined) return undefined;
    // The IANA number wins over the transport name when present.
    const protoField = hasEventValue(event, f.ianaNumber) ? f.ianaNumber : f.transport;
    const protocol = toProtocol(getEventValue(event, protoField));
    if (protocol === undefined) return undefined;

    if (protocol === TCP || protocol === UDP || protocol === SCTP) {
      const sourcePort = toUint(getEventValue(event, f.sourcePort));
      const destinationPort = toUint(getEventValue(event, f.destinationPort));
      const valid = (p: number | undefined): p is number => p !== undefined && p >= 1 && p <= 65535;
      if (!valid(sourcePort) || !valid(destinationPort)) return undefined;
      return { sourceIP, destinationIP, protocol, sourcePort, destinationPort };
    }
    if (protocol === ICMP || protocol === ICMPV6) {
      // A flow is still produced without type/code (both then count as 0).
      const type = toUint(getEventValue(event, f.icmpType));
      const code = toUint(getEventValue(event, f.icmpCode));
      if (type === undefined || code === undefined) return { sourceIP, destinationIP, protocol };
      return { sourceIP, destinationIP, protocol, icmpType: type & 0xff, icmpCode: code & 0xff };
    }
    return { sourceIP, destinationIP, protocol };
  }

  run(event: BeatEvent): BeatEvent {
    if (hasEventValue(event, this.target)) return event;
    const flow = this.buildFlow(event);
    if (flow === undefined) return event;
    try {
      putEventValue(event, this.target, communityId(flow, this.seed));
    } catch (err) {
      this.logger.debug(`community_id: ${errorMessage(err)}`);
    }
    return event;
  }
}

export const communityIdFactory: ProcessorFactory = {
  name: 'community_id',
  create(config, ctx) {
    const r = new ConfigReader('community_id', config);
    const field = (key: string, def: string): string => r.string(`fields.${key}`, def) || def;
    const fields: CommunityIdFields = {
      sourceIP: field('source_ip', 'source.ip'),
      sourcePort: field('source_port', 'source.port'),
      destinationIP: field('destination_ip', 'destination.ip'),
      destinationPort: field('destination_port', 'destination.port'),
      ianaNumber: field('iana_number', 'network.iana_number'),
      transport: field('transport', 'network.transport'),
      icmpType: field('icmp_type', 'icmp.type'),
      icmpCode: field('icmp_code', 'icmp.code'),
    };
    const target = r.string('target', 'network.community_id') || 'network.community_id';
    const seed = r.optInt('seed', 0, 65535) ?? 0;
    return new CommunityIdProcessor(fields, target, seed, ctx.logger);
  },
};
