import type { CloseReason, Direction, Endpoint, TcpHandlers } from '@packetbeat-ts/protocol-sdk';
import { TcpFlag, type DecodedPacket } from '../decode/decoded-packet.js';
import { TcpConnection } from './connection.js';
import { seqDiff } from './tcp-stream.js';
import { hashPacket } from '../decode/ip-text.js';

/** A protocol's TCP side, as the tracker drives it. */
export interface TcpBinding {
  readonly name: string;
  readonly handlers: TcpHandlers<unknown>;
}

export interface TcpTrackerOptions {
  /** Index into `bindings` for each port, -1 when no protocol claims it. */
  readonly portMap: Int16Array;
  readonly bindings: readonly TcpBinding[];
  /** Bytes buffered out of order per direction before the oldest hole becomes a gap (10 MiB). */
  readonly maxBufferedBytes: number;
  /** Connections idle this long (packet time) are closed with reason `timeout`. */
  readonly idleTimeoutUs: number;
  /** Most connections tracked at once; past it new ones are not tracked (counted). */
  readonly maxConnections: number;
  /** Formats the address bytes at `offset` (4 or 16 bytes) as text. */
  readonly formatIp: (data: Buffer, offset: number, ipVersion: number) => string;
  /** For tests: ANDed into every connection hash, so a small mask forces collisions. */
  readonly hashMask?: number;
}

/** Counters the engine exports as metrics. */
export class TcpCounters {
  connections = 0;
  active = 0;
  retransmittedBytes = 0;
  gaps = 0;
  gapBytes = 0;
  expired = 0;
  untracked = 0;
  pluginErrors = 0;
}

const SWEEP_INTERVAL_US = 1_000_000;
/** How long (packet time) and how many closed connections are remembered, to recognise late copies. */
const CLOSED_MEMORY_US = 120_000_000;
/** Shared by every connection without VLAN tags (most of them). */
const NO_VLANS: readonly number[] = Object.freeze([]);
const MAX_CLOSED_REMEMBERED = 65_536;
/** Server endpoints kept for sharing (the table starts over when full). */
const MAX_SHARED_SERVERS = 4096;

/**
 * Tracks the TCP connections of ports that protocols claimed and feeds each
 * protocol in-order bytes, gaps, FINs and closes. Packets of other ports are
 * not looked at (flows count them). Expiry runs on packet time.
 */
export class TcpTracker {
  readonly counters = new TcpCounters();
  /** By `connectionHash`: the connection itself, or a list when several share the hash (rare; a list per entry would cost ~70 bytes each). */
  private readonly table = new Map<number, TcpConnection | TcpConnection[]>();
  /** The connection and direction the shared stream callbacks act for (see `to`). */
  private current: TcpConnection | undefined;
  private currentDir: Direction = 0;
  /** Connections closed by FIN/RST, kept a while so their late retransmissions start nothing. */
  private readonly recentlyClosed = new Map<number, TcpConnection[]>();
  private recentlyClosedCount = 0;
  private nextId = 1;
  private lastSweepUs = 0;
  private readonly servers = new Map<string, Endpoint>();

  private readonly hashMask: number;

  constructor(private readonly options: TcpTrackerOptions) {
    this.hashMask = options.hashMask ?? -1;
  }

  /** Handles one decoded TCP packet; returns false when no protocol claims its ports. */
  process(pkt: DecodedPacket, nowUs: number): boolean {
    const { portMap } = this.options;
    let binding = portMap[pkt.dstPort] ?? -1;
    let serverIsDst = true;
    if (binding < 0) {
      binding = portMap[pkt.srcPort] ?? -1;
      serverIsDst = false;
      if (binding < 0) return false;
    }
    if (nowUs - this.lastSweepUs >= SWEEP_INTERVAL_US) this.expire(nowUs);

    const hash = connectionHash(pkt) & this.hashMask;
    let conn: TcpConnection | undefined;
    let dir: Direction | -1 = -1;
    const entry = this.table.get(hash);
    if (entry instanceof TcpConnection) {
      dir = entry.direction(pkt.data, pkt.srcIpOffset, pkt.dstIpOffset, pkt.srcPort, pkt.dstPort, pkt.ipVersion);
      if (dir >= 0) conn = entry;
    } else if (entry !== undefined) {
      for (const c of entry) {
        dir = c.direction(pkt.data, pkt.srcIpOffset, pkt.dstIpOffset, pkt.srcPort, pkt.dstPort, pkt.ipVersion);
        if (dir >= 0) {
          conn = c;
          break;
        }
      }
    }
    const flags = pkt.tcpFlags;
    if (conn === undefined) {
      // A lone RST or bare ACK/FIN of an unknown connection starts nothing.
      if ((flags & TcpFlag.SYN) === 0 && pkt.payloadLength === 0) return true;
      if (this.isLateRetransmission(pkt, hash)) {
        this.counters.retransmittedBytes += pkt.payloadLength;
        return true;
      }
      if (this.counters.active >= this.options.maxConnections) {
        this.counters.untracked++;
        return true;
      }
      conn = this.open(pkt, hash, binding, serverIsDst, nowUs);
      dir = serverIsDst ? 0 : 1;
    }
    if (dir === -1 || conn.closed) return true;
    const d: Direction = dir;
    const o: Direction = d === 0 ? 1 : 0;
    conn.lastSeenUs = nowUs;
    const handlers = (this.options.bindings[conn.protocol] as TcpBinding).handlers;
    const stream = conn.stream(d);
    const other = conn.stream(o);

    try {
      if ((flags & TcpFlag.ACK) !== 0 && other.hasPending) other.acknowledged(pkt.tcpAck, this.to(conn, o), this.gapTo);
      const payload = pkt.data.subarray(pkt.payloadOffset, pkt.payloadOffset + pkt.payloadLength);
      this.counters.retransmittedBytes += stream.segment(pkt.tcpSeq, (flags & TcpFlag.SYN) !== 0, (flags & TcpFlag.FIN) !== 0, payload, this.to(conn, d), this.gapTo);
      if (stream.finished && !stream.finDelivered) {
        stream.finDelivered = true;
        handlers.onFin?.(conn.state, conn, d);
      }
    } catch {
      // A plugin that throws loses this packet, not the process.
      this.counters.pluginErrors++;
    }
    if ((flags & TcpFlag.RST) !== 0) this.close(conn, 'rst');
    else if (conn.toServer.finDelivered && conn.toClient.finDelivered) this.close(conn, 'fin');
    return true;
  }

  /** Closes connections idle longer than the timeout. */
  expire(nowUs: number): void {
    this.lastSweepUs = nowUs;
    const limit = nowUs - this.options.idleTimeoutUs;
    for (const [hash, chain] of this.recentlyClosed) {
      const kept = chain.filter((c) => c.lastSeenUs >= nowUs - CLOSED_MEMORY_US);
      this.recentlyClosedCount -= chain.length - kept.length;
      if (kept.length === 0) this.recentlyClosed.delete(hash);
      else if (kept.length !== chain.length) this.recentlyClosed.set(hash, kept);
    }
    for (const entry of this.table.values()) {
      if (entry instanceof TcpConnection) {
        if (entry.lastSeenUs < limit) this.expireOne(entry);
        continue;
      }
      for (let i = entry.length - 1; i >= 0; i--) {
        const c = entry[i] as TcpConnection;
        if (c.lastSeenUs < limit) this.expireOne(c);
      }
    }
  }

  private expireOne(conn: TcpConnection): void {
    this.counters.expired++;
    this.close(conn, 'timeout');
  }

  /** Every open connection, as a list that closing them does not disturb. */
  private openConnections(): TcpConnection[] {
    const all: TcpConnection[] = [];
    for (const entry of this.table.values()) {
      if (entry instanceof TcpConnection) all.push(entry);
      else all.push(...entry);
    }
    return all;
  }

  /** Closes every connection (end of a capture, shutdown). */
  closeAll(reason: CloseReason): void {
    for (const c of this.openConnections()) this.close(c, reason);
  }

  /**
   * Closes up to `max` connections; `true` once none is left. The end of a
   * capture closes them a chunk at a time, so what they publish can drain
   * between chunks instead of piling up.
   */
  closeSome(reason: CloseReason, max: number): boolean {
    let closed = 0;
    for (const entry of this.table.values()) {
      for (const c of entry instanceof TcpConnection ? [entry] : [...entry]) {
        this.close(c, reason);
        if (++closed >= max) return this.table.size === 0;
      }
    }
    return this.table.size === 0;
  }

  private open(pkt: DecodedPacket, hash: number, binding: number, serverIsDst: boolean, nowUs: number): TcpConnection {
    const clientOffset = serverIsDst ? pkt.srcIpOffset : pkt.dstIpOffset;
    const serverOffset = serverIsDst ? pkt.dstIpOffset : pkt.srcIpOffset;
    const clientPort = serverIsDst ? pkt.srcPort : pkt.dstPort;
    const serverPort = serverIsDst ? pkt.dstPort : pkt.srcPort;
    const vlans = pkt.vlan0 < 0 ? NO_VLANS : pkt.vlan1 < 0 ? [pkt.vlan0] : [pkt.vlan0, pkt.vlan1];
    const client: Endpoint = { ip: this.options.formatIp(pkt.data, clientOffset, pkt.ipVersion), port: clientPort };
    const server = this.serverEndpoint(this.options.formatIp(pkt.data, serverOffset, pkt.ipVersion), serverPort);
    const conn = new TcpConnection(hash, this.nextId++, client, server, vlans, binding, pkt.ipVersion, clientPort, serverPort, pkt.data, clientOffset, serverOffset, this.options.maxBufferedBytes, nowUs);
    const handlers = (this.options.bindings[binding] as TcpBinding).handlers;
    conn.state = handlers.init(conn);
    const entry = this.table.get(hash);
    if (entry === undefined) this.table.set(hash, conn);
    else if (entry instanceof TcpConnection) this.table.set(hash, [entry, conn]);
    else entry.push(conn);
    this.counters.connections++;
    this.counters.active++;
    return conn;
  }

  /** Connections to one server share its (read-only) endpoint object. */
  private serverEndpoint(ip: string, port: number): Endpoint {
    const key = `${port} ${ip}`;
    let endpoint = this.servers.get(key);
    if (endpoint === undefined) {
      if (this.servers.size >= MAX_SHARED_SERVERS) this.servers.clear();
      endpoint = Object.freeze({ ip, port });
      this.servers.set(key, endpoint);
    }
    return endpoint;
  }

  /**
   * The stream callbacks are two functions shared by every connection; `to`
   * names the connection and direction they act for next. Per-connection
   * closures would cost hundreds of bytes for each of hundreds of thousands
   * of connections. (Plugins never feed packets back, so nothing re-enters.)
   */
  private to(conn: TcpConnection, dir: Direction): (bytes: Buffer) => void {
    this.current = conn;
    this.currentDir = dir;
    return this.deliverTo;
  }

  private readonly deliverTo = (bytes: Buffer): void => {
    const conn = this.current as TcpConnection;
    (this.options.bindings[conn.protocol] as TcpBinding).handlers.onData(conn.state, conn, this.currentDir, bytes);
  };

  private readonly gapTo = (length: number): void => {
    const conn = this.current as TcpConnection;
    this.counters.gaps++;
    this.counters.gapBytes += length;
    (this.options.bindings[conn.protocol] as TcpBinding).handlers.onGap?.(conn.state, conn, this.currentDir, length);
  };

  private close(conn: TcpConnection, reason: CloseReason): void {
    if (conn.closed) return;
    conn.closed = true;
    const handlers = (this.options.bindings[conn.protocol] as TcpBinding).handlers;
    try {
      conn.toServer.flush(this.to(conn, 0), this.gapTo);
      conn.toClient.flush(this.to(conn, 1), this.gapTo);
      handlers.onClose?.(conn.state, conn, reason);
    } catch {
      this.counters.pluginErrors++;
    }
    const entry = this.table.get(conn.hash);
    if (entry === conn) {
      this.table.delete(conn.hash);
    } else if (entry !== undefined && !(entry instanceof TcpConnection)) {
      const i = entry.indexOf(conn);
      if (i >= 0) entry.splice(i, 1);
      if (entry.length === 1) this.table.set(conn.hash, entry[0] as TcpConnection);
      else if (entry.length === 0) this.table.delete(conn.hash);
    }
    this.counters.active--;
    if ((reason === 'fin' || reason === 'rst') && this.recentlyClosedCount < MAX_CLOSED_REMEMBERED) {
      const closedChain = this.recentlyClosed.get(conn.hash);
      if (closedChain === undefined) this.recentlyClosed.set(conn.hash, [conn]);
      else closedChain.push(conn);
      this.recentlyClosedCount++;
    }
  }

  /**
   * Whether a packet of no open connection repeats bytes (or the SYN) of a
   * connection that closed recently: then it is a late copy, not a new
   * connection (loopback captures on `any` see every packet twice).
   */
  private isLateRetransmission(pkt: DecodedPacket, hash: number): boolean {
    const chain = this.recentlyClosed.get(hash);
    if (chain === undefined) return false;
    for (const c of chain) {
      const dir = c.direction(pkt.data, pkt.srcIpOffset, pkt.dstIpOffset, pkt.srcPort, pkt.dstPort, pkt.ipVersion);
      if (dir === -1) continue;
      const stream = c.stream(dir);
      if (!stream.started) return false;
      const end = (pkt.tcpSeq + pkt.payloadLength + ((pkt.tcpFlags & TcpFlag.SYN) !== 0 ? 1 : 0)) | 0;
      return seqDiff(end, stream.nextSeq) <= 0;
    }
    return false;
  }
}

/**
 * A hash of the connection's addresses and ports, the same in both
 * directions; signed, so that V8 keeps it (and the table's keys) unboxed.
 */
export function connectionHash(pkt: DecodedPacket): number {
  return hashPacket(pkt) | 0;
}
