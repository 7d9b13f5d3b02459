import type { PLUGIN_BRAND } from './version.js';

/** `icmp` covers ICMPv4 and ICMPv6 (not port-based: the plugin gets every ICMP message). */
export type Transport = 'tcp' | 'udp' | 'icmp';

/**
 * Which way data flows on a connection: `0` from the client (the side that
 * is not on the protocol's port, usually the one that opened it) to the
 * server, `1` from the server to the client.
 */
export type Direction = 0 | 1;
export const FROM_CLIENT: Direction = 0;
export const FROM_SERVER: Direction = 1;

/**
 * Packet time in microseconds since the epoch (fractions carry sub-µs
 * precision where the capture has it). Always the capture's clock, never the
 * wall clock, so a pcap replay gives the same documents every time.
 */
export type Micros = number;

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** A TCP connection or a UDP flow, as the framework tracks it. */
export interface ConnectionInfo {
  /** Unique while the connection lives. */
  readonly id: number;
  readonly transport: Transport;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** 802.1Q VLAN ids, outer first; empty when untagged. */
  readonly vlans: readonly number[];
}

/** The options every protocol accepts (Packetbeat's common protocol settings). */
export interface CommonProtocolConfig {
  readonly enabled: boolean;
  readonly ports: readonly number[];
  readonly send_request: boolean;
  readonly send_response: boolean;
  /** Milliseconds. */
  readonly transaction_timeout: number;
}

/**
 * One request/response pair (or an unmatched half of one), as a protocol
 * reports it. The framework turns it into the ECS document: `@timestamp`,
 * `event.*` (duration in ns), `source/destination/client/server`,
 * `network.*` with `community_id`, `related.ip`, `type`, `status`, …
 */
export interface Transaction {
  readonly conn: ConnectionInfo;
  /** Default: the plugin's name. */
  readonly type?: string;
  /** `OK`, `Error`, `Client Error`, `Server Error`. */
  readonly status: TransactionStatus;
  /** When the request started (µs); for an unmatched response, when it started. */
  readonly start: Micros;
  /** When the response ended (µs); absent for an unanswered request. */
  readonly end?: Micros;
  readonly method?: string;
  readonly query?: string;
  readonly resource?: string;
  readonly path?: string;
  /** Request bytes (client.bytes / source.bytes). */
  readonly requestBytes?: number;
  /** Response bytes (server.bytes / destination.bytes). */
  readonly responseBytes?: number;
  /** Raw request and response text, when `send_request` / `send_response` ask for it. */
  readonly request?: string;
  readonly response?: string;
  /** Problems noticed (unmatched, gap, truncated…): become `error.message`. */
  readonly notes?: readonly string[];
  /** `user.name` etc. contributing to `related.user`. */
  readonly user?: string;
  /** Host names contributing to `related.hosts` (e.g. HTTP Host header). */
  readonly hosts?: readonly string[];
  /**
   * The protocol's own fields, nested (`{ http: {...}, url: {...} }`). They
   * are handed over: their objects become part of the published document
   * (not copies), so build fresh ones for each transaction.
   */
  readonly fields: Record<string, unknown>;
  /** For ICMP transactions: the request's type and code (they stand in for ports in `network.community_id`). */
  readonly icmp?: { readonly type: number; readonly code: number };
}

export type TransactionStatus = 'OK' | 'Error' | 'Client Error' | 'Server Error';

/** Logging for plugins: debug lines show with `-d <plugin name>`. */
export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  isDebugEnabled(): boolean;
}

/** A counter under `packetbeat.<plugin>.` in /stats. */
export interface PluginCounter {
  inc(n?: number): void;
}

/** What the framework gives a plugin when it creates it. */
export interface ProtocolContext<C> {
  /** The plugin's validated config: its own schema's keys plus the common ones. */
  readonly config: C & CommonProtocolConfig;
  /** Packet time of the packet being processed (or of the expiry being run). */
  now(): Micros;
  /** Publishes a transaction. */
  report(tx: Transaction): void;
  readonly log: PluginLogger;
  counter(name: string): PluginCounter;
}

/**
 * TCP callbacks. `S` is the plugin's own per-connection state, created by
 * `init` when the framework first sees data on a connection the plugin
 * claimed; the framework keeps it with the connection and hands it back.
 */
export interface TcpHandlers<S> {
  init(conn: ConnectionInfo): S;
  /**
   * In-order stream bytes of one direction. `data` is a view valid only
   * during the call: copy what you keep (StreamBuffer does).
   */
  onData(state: S, conn: ConnectionInfo, dir: Direction, data: Uint8Array): void;
  /**
   * `length` bytes are missing in `dir` (lost packets). Return `true` if the
   * parser resynchronised (e.g. the gap fell inside a body it was skipping);
   * `false` drops the stream's pending data, and the framework resumes with
   * the next bytes.
   */
  onGap?(state: S, conn: ConnectionInfo, dir: Direction, length: number): boolean;
  /** The peer in `dir` sent FIN. */
  onFin?(state: S, conn: ConnectionInfo, dir: Direction): void;
  /** The connection ended (`fin`, `rst`), expired (`timeout`), or the capture ended (`end`): report what is pending. */
  onClose?(state: S, conn: ConnectionInfo, reason: CloseReason): void;
}

export type CloseReason = 'fin' | 'rst' | 'timeout' | 'end';

export interface UdpHandlers {
  onDatagram(conn: ConnectionInfo, dir: Direction, data: Uint8Array): void;
}

/** An ICMP or ICMPv6 message's envelope. */
export interface IcmpPacket {
  readonly version: 4 | 6;
  readonly source: string;
  readonly destination: string;
  readonly vlans: readonly number[];
  /** Bytes of the IP packet on the wire. */
  readonly ipBytes: number;
}

export interface IcmpHandlers {
  /** `message` starts at the ICMP type byte; a view valid only during the call. */
  onMessage(packet: IcmpPacket, message: Uint8Array): void;
}

/** What a plugin's `create` returns. */
export interface ProtocolAnalyzer<S = unknown> {
  readonly tcp?: TcpHandlers<S>;
  readonly udp?: UdpHandlers;
  readonly icmp?: IcmpHandlers;
  /**
   * Called periodically with packet time, and once at the end of a capture:
   * expire requests older than `transaction_timeout` (plugins create no timers).
   */
  expire?(now: Micros): void;
}

/** A convict-style schema for the plugin's own options (`{ key: { doc, format, default } }`). */
export type ConfigSchema = Record<string, unknown>;

export interface ProtocolDefinition<C, S> {
  /** The `type` in `packetbeat.protocols`. */
  readonly name: string;
  /** The SDK versions the plugin works with, as a semver range (`^1.0.0`). */
  readonly sdkVersion: string;
  readonly transports: readonly Transport[];
  readonly defaultPorts: readonly number[];
  /** Options beyond the common ones. */
  readonly configSchema?: ConfigSchema;
  create(ctx: ProtocolContext<C>): ProtocolAnalyzer<S>;
}

/** A plugin, as `defineProtocol()` makes it. */
export interface ProtocolPlugin<C = object, S = unknown> extends ProtocolDefinition<C, S> {
  readonly [PLUGIN_BRAND]: true;
}
