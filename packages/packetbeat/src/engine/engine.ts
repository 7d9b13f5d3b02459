import type { Counter, Logger, MetricsRegistry, PipelineClient } from '@packetbeat-ts/libbeat';
import type { CommonProtocolConfig, ConnectionInfo, Direction, ProtocolAnalyzer, ProtocolPlugin, Transaction } from '@packetbeat-ts/protocol-sdk';
import type { PacketSink } from '../capture/packet-sink.js';
import { DecodedPacket, type DecodeDrop } from '../decode/decoded-packet.js';
import { PacketDecoder } from '../decode/decoder.js';
import { formatIp } from '../decode/ip-text.js';
import { transactionEvent, type InternalNetworkTest } from '../publish/transaction-event.js';
import { EngineClock } from './engine-clock.js';
import { PacketCounters } from './packet-counters.js';
import { TcpTracker, type TcpBinding } from '../tcp/tcp-tracker.js';
import { FlowTable } from '../flows/flow-table.js';
import { pluginContext, type PluginHost } from './plugin-context.js';

/** A protocol ready to run: its plugin, validated config, and its own pipeline client. */
export interface EngineProtocol {
  readonly plugin: ProtocolPlugin;
  readonly config: CommonProtocolConfig & Record<string, unknown>;
  readonly client: PipelineClient;
}

export interface EngineOptions {
  readonly protocols: readonly EngineProtocol[];
  readonly internalNetworks: readonly InternalNetworkTest[];
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Per TCP direction, bytes held out of order before a gap is declared. */
  readonly maxStreamBytes?: number;
  readonly tcpIdleTimeoutUs?: number;
  readonly maxConnections?: number;
  /** `packetbeat.ignore_outgoing`: the host's own addresses; transactions their clients start are not published. */
  readonly ignoreOutgoingFrom?: ReadonlySet<string>;
  /** `packetbeat.flows` when enabled: where flow documents go and how often. */
  readonly flows?: {
    readonly client: PipelineClient;
    readonly timeoutUs: number;
    readonly periodUs: number;
    readonly maxFlows?: number;
  };
}

/** Connections closed / flows reported per step at the end of a capture. */
const FINISH_CHUNK = 1024;

interface RunningProtocol {
  readonly name: string;
  readonly analyzer: ProtocolAnalyzer;
  readonly client: PipelineClient;
  /** The protocol's `index` setting, passed to the output as `@metadata.index`. */
  readonly index: string;
}

/**
 * The packet path after the source: decode → TCP tracking or UDP dispatch by
 * port → protocol analyzers → transaction documents → each protocol's
 * pipeline client. Packet time drives every clock and expiry.
 */
export class PacketEngine implements PacketSink, PluginHost {
  private readonly decoded = new DecodedPacket();
  readonly decoder = new PacketDecoder();
  readonly tcp: TcpTracker;
  private readonly running: RunningProtocol[] = [];
  private readonly byName = new Map<string, RunningProtocol>();
  private readonly udpPorts = new Int16Array(65536).fill(-1);
  /** The protocol that takes ICMP/ICMPv6 messages, if any. */
  private icmp: RunningProtocol | undefined;
  private readonly clock = new EngineClock();
  /** Set when a publish was held by a full queue: the source should wait for space. */
  backpressure = false;
  private readonly counters: PacketCounters;
  private readonly ignoredOutgoing: Counter;
  readonly flows: FlowTable | undefined;
  /** The protocols' clients and the flows' one: what `waitForSpace` waits for. */
  private readonly clients: PipelineClient[] = [];

  constructor(private readonly options: EngineOptions) {
    const tcpPorts = new Int16Array(65536).fill(-1);
    const bindings: TcpBinding[] = [];
    const m = options.metrics.scope('packetbeat');
    this.counters = new PacketCounters(options.metrics);
    this.ignoredOutgoing = m.counter('transactions.ignored_outgoing');
    for (const p of options.protocols) {
      const ctx = pluginContext(p.plugin.name, p.config, this, options.logger.named(p.plugin.name), options.metrics);
      const analyzer = p.plugin.create(ctx);
      const index = typeof p.config['index'] === 'string' ? p.config['index'] : '';
      const run: RunningProtocol = { name: p.plugin.name, analyzer, client: p.client, index };
      this.running.push(run);
      this.clients.push(run.client);
      this.byName.set(run.name, run);
      if (analyzer.tcp !== undefined && p.plugin.transports.includes('tcp')) {
        const index = bindings.length;
        bindings.push({ name: run.name, handlers: analyzer.tcp });
        for (const port of p.config.ports) tcpPorts[port] = index;
      }
      if (analyzer.udp !== undefined && p.plugin.transports.includes('udp')) {
        for (const port of p.config.ports) this.udpPorts[port] = this.running.length - 1;
      }
      if (analyzer.icmp !== undefined && p.plugin.transports.includes('icmp')) this.icmp = run;
    }
    this.tcp = new TcpTracker({
      portMap: tcpPorts,
      bindings,
      maxBufferedBytes: options.maxStreamBytes ?? 10 * 1024 * 1024,
      idleTimeoutUs: options.tcpIdleTimeoutUs ?? 60_000_000,
      maxConnections: options.maxConnections ?? 1_000_000,
      formatIp,
    });
    const tcpCounters = this.tcp.counters;
    for (const key of Object.keys(tcpCounters) as Array<keyof typeof tcpCounters>) m.func(`tcp.${key}`, () => tcpCounters[key]);
    const decoder = this.decoder;
    m.func('decode.drops', () => ({ ...decoder.drops }));

    const flowSettings = options.flows;
    if (flowSettings !== undefined) {
      const client = flowSettings.client;
      this.clients.push(client);
      this.flows = new FlowTable({
        timeoutUs: flowSettings.timeoutUs,
        periodUs: flowSettings.periodUs,
        maxFlows: flowSettings.maxFlows ?? 1_000_000,
        formatIp,
        internalNetworks: options.internalNetworks,
        publish: (event) => {
          if (client.publish(event) === 'held') this.backpressure = true;
        },
      });
      const flowCounters = this.flows.counters;
      m.func('flows', () => ({ ...flowCounters }));
    }
  }

  now(): number {
    return this.clock.nowUs;
  }

  packet(data: Buffer, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    this.counters.packets.value++;
    const pkt = this.decoded;
    const drop = this.decoder.decode(data, offset, capLen, origLen, tsSec, tsNsec, linkType, pkt);
    if (drop !== null && drop !== 'unsupported_transport') return;
    if (this.clock.advance(tsSec, tsNsec)) this.expire();
    this.analyze(pkt, drop);
  }

  /**
   * A packet in a worker: the clock (`nowUs`, the largest packet time of the
   * whole capture so far) and the expiry runs are the coordinator's, so every
   * worker sees the times a single engine would. `vlan0`/`vlan1` (when >= 0)
   * replace the decoded ones.
   */
  packetAt(data: Buffer, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number, nowUs: number, vlan0 = -1, vlan1 = -1): void {
    this.counters.packets.value++;
    const pkt = this.decoded;
    const drop = this.decoder.decode(data, offset, capLen, origLen, tsSec, tsNsec, linkType, pkt);
    if (drop !== null && drop !== 'unsupported_transport') return;
    // A datagram the coordinator reassembled comes as raw IP: its VLAN tags come alongside.
    if (vlan0 >= 0) {
      pkt.vlan0 = vlan0;
      pkt.vlan1 = vlan1;
    }
    if (nowUs > this.clock.nowUs) this.clock.nowUs = nowUs;
    this.analyze(pkt, drop);
  }

  private analyze(pkt: DecodedPacket, drop: DecodeDrop | null): void {
    // Flows count every IP packet, other transports (GRE, ESP…) included.
    this.flows?.packet(pkt, this.clock.nowUs);
    if (drop !== null) return;
    if (pkt.protocol === 6) this.tcp.process(pkt, this.clock.nowUs);
    else if (pkt.protocol === 17) this.udp(pkt);
    else if ((pkt.protocol === 1 || pkt.protocol === 58) && this.icmp !== undefined) this.icmpMessage(pkt, this.icmp);
  }

  /** Runs each analyzer's expiry (unanswered requests) on packet time. */
  expire(now: number = this.clock.nowUs): void {
    if (Number.isFinite(now) && now > this.clock.nowUs) this.clock.nowUs = now;
    this.clock.expired(now);
    for (const run of this.running) run.analyzer.expire?.(now);
    if (Number.isFinite(now)) this.flows?.tick(now);
  }

  /** End of the capture: close every connection, report what is pending, and every flow as final. */
  finish(nowUs?: number): void {
    // A worker learns the capture's last time from the coordinator.
    if (nowUs !== undefined && nowUs > this.clock.nowUs) this.clock.nowUs = nowUs;
    this.tcp.closeAll('end');
    this.expire(Number.POSITIVE_INFINITY);
    this.flows?.finish(this.clock.nowUs);
  }

  /**
   * `finish`, a chunk at a time: between chunks the event loop turns (the
   * output drains) and, when the queue is full, this waits for room. So
   * hundreds of thousands of connections and flows open at the end of a
   * capture do not pile up as held events.
   */
  async finishPaced(nowUs?: number): Promise<void> {
    if (nowUs !== undefined && nowUs > this.clock.nowUs) this.clock.nowUs = nowUs;
    const pause = async (): Promise<void> => {
      if (this.backpressure) await this.waitForSpace();
      else await new Promise<void>((resolve) => setImmediate(resolve));
    };
    while (!this.tcp.closeSome('end', FINISH_CHUNK)) await pause();
    this.expire(Number.POSITIVE_INFINITY);
    if (this.flows !== undefined) {
      while (!this.flows.finishSome(this.clock.nowUs, FINISH_CHUNK)) await pause();
    }
  }

  report(protocol: string, tx: Transaction): void {
    const run = this.byName.get(protocol);
    if (run === undefined) return;
    if (this.options.ignoreOutgoingFrom?.has(tx.conn.client.ip) === true) {
      this.ignoredOutgoing.value++;
      return;
    }
    const event = transactionEvent(tx, protocol, this.options.internalNetworks);
    if (run.index !== '') event.meta = { index: run.index };
    const result = run.client.publish(event);
    if (result === 'held') this.backpressure = true;
    this.counters.transaction(result);
  }

  /** Resolves when every client (protocols, flows) has its held events queued and room again. */
  async waitForSpace(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.waitForSpace()));
    this.backpressure = false;
  }

  private icmpMessage(pkt: DecodedPacket, run: RunningProtocol): void {
    const handlers = run.analyzer.icmp;
    if (handlers === undefined) return;
    const vlans: number[] = [];
    if (pkt.vlan0 >= 0) vlans.push(pkt.vlan0);
    if (pkt.vlan1 >= 0) vlans.push(pkt.vlan1);
    try {
      handlers.onMessage(
        {
          version: pkt.ipVersion === 6 ? 6 : 4,
          source: formatIp(pkt.data, pkt.srcIpOffset, pkt.ipVersion),
          destination: formatIp(pkt.data, pkt.dstIpOffset, pkt.ipVersion),
          vlans,
          ipBytes: pkt.origLen,
        },
        pkt.data.subarray(pkt.payloadOffset, pkt.payloadOffset + pkt.payloadLength),
      );
    } catch {
      this.tcp.counters.pluginErrors++;
    }
  }

  private udp(pkt: DecodedPacket): void {
    let index = this.udpPorts[pkt.dstPort] ?? -1;
    let dir: Direction = 0;
    if (index < 0) {
      index = this.udpPorts[pkt.srcPort] ?? -1;
      dir = 1;
      if (index < 0) return;
    }
    const run = this.running[index];
    const handlers = run?.analyzer.udp;
    if (handlers === undefined) return;
    const src = { ip: formatIp(pkt.data, pkt.srcIpOffset, pkt.ipVersion), port: pkt.srcPort };
    const dst = { ip: formatIp(pkt.data, pkt.dstIpOffset, pkt.ipVersion), port: pkt.dstPort };
    const vlans: number[] = [];
    if (pkt.vlan0 >= 0) vlans.push(pkt.vlan0);
    if (pkt.vlan1 >= 0) vlans.push(pkt.vlan1);
    const conn: ConnectionInfo = { id: 0, transport: 'udp', client: dir === 0 ? src : dst, server: dir === 0 ? dst : src, vlans };
    try {
      handlers.onDatagram(conn, dir, pkt.data.subarray(pkt.payloadOffset, pkt.payloadOffset + pkt.payloadLength));
    } catch {
      this.tcp.counters.pluginErrors++;
    }
  }
}
