import * as net from 'node:net';
import * as tls from 'node:tls';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { Counter } from '../../monitoring/metrics.js';
import { ACK_FRAME_SIZE, FRAME_ACK, PROTOCOL_VERSION } from './protocol.js';

export const DEFAULT_LOGSTASH_PORT = 5044;

/** A Logstash endpoint from `hosts`. */
export interface HostAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port` as written in logs. */
  readonly label: string;
}

/** Parses `host`, `host:port`, `[v6]:port` or a bare IPv6 address (optionally `tcp://`-prefixed). */
export function parseHost(value: string, defaultPort = DEFAULT_LOGSTASH_PORT): HostAddress {
  let s = value.trim().replace(/^tcp:\/\//i, '');
  if (s.endsWith('/')) s = s.slice(0, -1);
  let host: string;
  let port = defaultPort;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6 !== null) {
    host = v6[1] as string;
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else if (net.isIPv6(s)) {
    host = s;
  } else {
    const m = /^([^:]+)(?::(\d+))?$/.exec(s);
    if (m === null) throw new Error(`invalid host "${value}"`);
    host = m[1] as string;
    if (m[2] !== undefined) port = Number(m[2]);
  }
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid host "${value}"`);
  const label = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, label };
}

/** A window was not (completely) acknowledged; `acked` events of it were. */
export class SendError extends Error {
  readonly acked: number;
  /**
   * Which connection attempt failed (the windows pipelined on one connection
   * fail together and share it), so a failure is acted on once.
   */
  readonly attempt: number;
  constructor(message: string, acked: number, attempt: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SendError';
    this.acked = acked;
    this.attempt = attempt;
  }
}

export interface ConnectionSettings {
  /** Connect timeout, and the longest wait for the next ack while windows are in flight. */
  readonly timeoutMs: number;
  /** Reconnect when the connection is older than this (0: never). */
  readonly ttlMs: number;
  readonly tls: tls.ConnectionOptions | undefined;
  readonly logger: Logger;
  readonly writeBytes: Counter;
  readonly writeErrors: Counter;
  readonly readErrors: Counter;
}

interface PendingWindow {
  readonly count: number;
  acked: number;
  readonly resolve: () => void;
  readonly reject: (err: SendError) => void;
}

/**
 * One Lumberjack v2 connection to a host. Windows may be pipelined: each
 * `send` writes a window at once and resolves when the server acknowledged
 * its last event; acks apply to the oldest window in flight. A connection
 * failure rejects every window in flight with the count acknowledged so far,
 * and the next `send` reconnects.
 *
 * Outages are logged once: an error when the host becomes unreachable (or a
 * connection breaks with windows in flight), an info line when it
 * acknowledges a window again; the attempts in between log at debug level.
 */
export class LumberjackConnection {
  readonly address: HostAddress;
  private readonly settings: ConnectionSettings;
  private readonly logger: Logger;
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;
  /** Incremented by every connection attempt; the current socket belongs to the latest. */
  private attempt = 0;
  private connectedAt = 0;
  private readonly inflight: PendingWindow[] = [];
  private rbuf: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | undefined;
  private down = false;
  private everConnected = false;
  private closed = false;

  constructor(address: HostAddress, settings: ConnectionSettings) {
    this.address = address;
    this.settings = settings;
    this.logger = settings.logger;
  }

  get isConnected(): boolean {
    return this.socket !== undefined;
  }

  /** Windows sent and not yet completely acknowledged. */
  get windowsInFlight(): number {
    return this.inflight.length;
  }

  toString(): string {
    return `${this.settings.tls === undefined ? 'tcp' : 'tls'}://${this.address.label}`;
  }

  /** Connects (TLS handshake included) unless connected; concurrent calls share the attempt. */
  async connect(): Promise<void> {
    await this.ensureSocket();
  }

  /** Sends one encoded window of `count` events; resolves once all are acknowledged. */
  async send(data: Buffer, count: number): Promise<void> {
    const sock = await this.ensureSocket();
    return new Promise<void>((resolve, reject) => {
      this.inflight.push({ count, acked: 0, resolve, reject });
      this.armTimer();
      sock.write(data);
      this.settings.writeBytes.inc(data.length);
    });
  }

  /** Closes the socket; windows in flight are rejected. */
  close(): Promise<void> {
    this.closed = true;
    const sock = this.socket;
    if (sock !== undefined) this.fail(sock, new Error('connection closed'), false);
    return Promise.resolve();
  }

  private async ensureSocket(): Promise<net.Socket> {
    if (this.closed) throw new SendError(`${this.toString()}: output closed`, 0, this.attempt);
    const ttl = this.settings.ttlMs;
    if (this.socket !== undefined && ttl > 0 && this.inflight.length === 0 && Date.now() - this.connectedAt >= ttl) {
      this.logger.debug(`logstash: ${this.address.label}: connection older than ttl, reconnecting`);
      const old = this.socket;
      this.socket = undefined;
      old.end();
      old.destroySoon();
    }
    if (this.socket !== undefined) return this.socket;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private open(): Promise<net.Socket> {
    const attempt = ++this.attempt;
    const { host, port } = this.address;
    const tlsOpts = this.settings.tls;
    return new Promise<net.Socket>((resolve, reject) => {
      let sock: net.Socket;
      const onReady = (): void => {
        clearTimeout(timer);
        sock.removeListener('error', onError);
        sock.setNoDelay(true);
        sock.setKeepAlive(true, 15_000);
        this.attach(sock);
        resolve(sock);
      };
      const onError = (err: Error): void => {
        clearTimeout(timer);
        sock.on('error', () => undefined); // late errors of a socket given up
        sock.destroy();
        this.settings.writeErrors.inc();
        this.outage(`failed to connect to ${this.toString()}: ${errorMessage(err)}`);
        reject(new SendError(`${this.toString()}: ${errorMessage(err)}`, 0, attempt, err));
      };
      if (tlsOpts === undefined) {
        sock = net.connect({ host, port }, onReady);
      } else {
        const servername = net.isIP(host) === 0 ? host : undefined;
        sock = tls.connect({ ...tlsOpts, host, port, ...(servername === undefined ? {} : { servername }) }, onReady);
      }
      sock.once('error', onError);
      const timer = setTimeout(() => onError(new Error(`connect timed out after ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
    });
  }

  private attach(sock: net.Socket): void {
    if (this.closed) {
      sock.destroy();
      return;
    }
    this.socket = sock;
    this.connectedAt = Date.now();
    this.rbuf = Buffer.alloc(0);
    if (!this.everConnected && !this.down) {
      this.logger.info(`logstash: connection to ${this.toString()} established`);
    } else {
      this.logger.debug(`logstash: connected to ${this.toString()}`);
    }
    this.everConnected = true;
    sock.on('data', (chunk: Buffer) => this.onData(sock, chunk));
    sock.on('error', (err) => this.fail(sock, err, true));
    sock.on('close', () => this.fail(sock, new Error('connection closed by the server'), true));
  }

  private onData(sock: net.Socket, chunk: Buffer): void {
    if (sock !== this.socket) return;
    this.rbuf = this.rbuf.length === 0 ? chunk : Buffer.concat([this.rbuf, chunk]);
    let off = 0;
    while (this.rbuf.length - off >= ACK_FRAME_SIZE) {
      if (this.rbuf[off] !== PROTOCOL_VERSION || this.rbuf[off + 1] !== FRAME_ACK) {
        this.fail(sock, new Error(`protocol error: unexpected frame 0x${(this.rbuf[off] ?? 0).toString(16)} 0x${(this.rbuf[off + 1] ?? 0).toString(16)}`), true, true);
        return;
      }
      const seq = this.rbuf.readUInt32BE(off + 2);
      off += ACK_FRAME_SIZE;
      const head = this.inflight[0];
      if (head === undefined) continue; // keep-alive while idle
      if (seq > head.count) {
        this.fail(sock, new Error(`protocol error: ack for sequence ${seq} of a window of ${head.count} events`), true, true);
        return;
      }
      if (this.timer !== undefined) this.timer.refresh();
      if (seq === head.count) {
        this.inflight.shift();
        if (this.down) {
          // An outage ends when the server acknowledges a window again, not
          // when a connection opens (a server may accept and then close).
          this.down = false;
          this.logger.info(`logstash: connection to ${this.toString()} restored`);
        }
        head.resolve();
      } else if (seq > head.acked) {
        head.acked = seq;
      }
    }
    this.rbuf = off === this.rbuf.length ? Buffer.alloc(0) : this.rbuf.subarray(off);
    if (this.inflight.length === 0) this.clearTimer();
  }

  private armTimer(): void {
    if (this.timer !== undefined) {
      this.timer.refresh();
      return;
    }
    const sock = this.socket;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (sock !== undefined && sock === this.socket && this.inflight.length > 0) {
        this.fail(sock, new Error(`no ack received within ${this.settings.timeoutMs} ms`), true, true);
      }
    }, this.settings.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Tears `sock` down and rejects the windows in flight (once per socket). */
  private fail(sock: net.Socket, err: Error, isError: boolean, readError = false): void {
    if (sock !== this.socket) {
      sock.destroy();
      return;
    }
    this.socket = undefined;
    this.clearTimer();
    sock.destroy();
    const pending = this.inflight.splice(0);
    if (readError) this.settings.readErrors.inc();
    if (isError && pending.length > 0) {
      if (!readError) this.settings.writeErrors.inc();
      this.outage(`connection to ${this.toString()} failed with ${pending.length} window(s) in flight: ${err.message}`);
    } else if (isError) {
      this.logger.debug(`logstash: idle connection to ${this.toString()} ended: ${err.message}`);
    }
    for (const p of pending) p.reject(new SendError(`${this.toString()}: ${err.message}`, p.acked, this.attempt, err));
  }

  private outage(message: string): void {
    if (this.closed) return;
    if (this.down) {
      this.logger.debug(`logstash: ${message}`);
      return;
    }
    this.down = true;
    this.logger.error(`logstash: ${message}; retrying`);
  }
}
