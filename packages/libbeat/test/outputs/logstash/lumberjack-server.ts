import * as net from 'node:net';
import * as tls from 'node:tls';
import { inflateSync } from 'node:zlib';

/**
 * A Lumberjack v2 server for tests, written from the protocol description
 * (independently of the client's code): it parses window (`2W`), JSON (`2J`)
 * and compressed (`2C`, zlib of inner frames) frames, answers with acks
 * (`2A` seq) and records what it received. Its behaviour can be changed at
 * any time through `behaviour`.
 */

export interface ServerBehaviour {
  /** Close every new connection at once. */
  refuse: boolean;
  /** Never ack (the client's timeout fires). */
  silent: boolean;
  /** Delay of each window's final ack, in ms. */
  ackDelayMs: number;
  /** While a final ack is delayed, repeat the last ack every this many ms (Logstash's keep-alive); 0: off. */
  keepAliveMs: number;
  /** Also ack after every this many events of a window (partial acks); 0: final ack only. */
  partialAckEvery: number;
  /** Close the connection after receiving this many more events (before acking the window in progress). */
  dropAfterEvents: number | undefined;
  /** Ack this many events of the next window, then close the connection (applies once). */
  ackThenDrop: number | undefined;
  /** Answer each complete window with an ack beyond its last sequence number (a protocol error). */
  bogusAck: boolean;
  /** Close the connection, without acking, when a window announces more events than this. */
  maxWindow: number | undefined;
}

export interface ReceivedWindow {
  readonly connection: number;
  readonly count: number;
  compressed: boolean;
}

interface PendingWindow {
  readonly count: number;
  readonly events: Record<string, unknown>[];
  acked: number;
  complete: boolean;
}

interface ConnState {
  readonly id: number;
  readonly socket: net.Socket;
  buf: Buffer;
  dead: boolean;
  readonly windows: PendingWindow[];
  timers: Set<NodeJS.Timeout>;
}

const V2 = 0x32;

export class ProtocolError extends Error {}

export class LumberjackServer {
  readonly behaviour: ServerBehaviour = {
    refuse: false,
    silent: false,
    ackDelayMs: 0,
    keepAliveMs: 0,
    partialAckEvery: 0,
    dropAfterEvents: undefined,
    ackThenDrop: undefined,
    bogusAck: false,
    maxWindow: undefined,
  };
  /** Every event received, decoded, in arrival order (retries included). */
  readonly events: Record<string, unknown>[] = [];
  /** Events whose ack was sent. */
  readonly acked: Record<string, unknown>[] = [];
  readonly windows: ReceivedWindow[] = [];
  /** Every ack sent: [connection, seq]. */
  readonly acks: [number, number][] = [];
  readonly errors: Error[] = [];
  connections = 0;
  private readonly server: net.Server;
  private readonly sockets = new Set<ConnState>();

  private constructor(server: net.Server) {
    this.server = server;
  }

  static async start(options: { tls?: tls.TlsOptions; port?: number } = {}): Promise<LumberjackServer> {
    const server = options.tls === undefined ? net.createServer() : tls.createServer(options.tls);
    const self = new LumberjackServer(server);
    server.on(options.tls === undefined ? 'connection' : 'secureConnection', (sock: net.Socket) => self.onConnection(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    return self;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Open client connections. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Closes every client connection (the listener stays). */
  dropConnections(): void {
    for (const c of [...this.sockets]) this.kill(c);
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    this.connections++;
    const conn: ConnState = { id: this.connections, socket, buf: Buffer.alloc(0), dead: false, windows: [], timers: new Set() };
    socket.on('error', () => this.kill(conn));
    socket.on('close', () => this.kill(conn));
    if (this.behaviour.refuse) {
      this.kill(conn);
      return;
    }
    this.sockets.add(conn);
    socket.on('data', (chunk: Buffer) => {
      if (conn.dead) return;
      conn.buf = conn.buf.length === 0 ? chunk : Buffer.concat([conn.buf, chunk]);
      try {
        const used = this.parse(conn, conn.buf, false);
        conn.buf = conn.buf.subarray(used);
      } catch (err) {
        this.errors.push(err as Error);
        this.kill(conn);
      }
    });
  }

  private kill(conn: ConnState): void {
    if (conn.dead) return;
    conn.dead = true;
    for (const t of conn.timers) clearTimeout(t);
    conn.timers.clear();
    this.sockets.delete(conn);
    conn.socket.destroy();
  }

  /** Parses whole frames from `buf`; returns the bytes consumed. */
  private parse(conn: ConnState, buf: Buffer, inner: boolean): number {
    let off = 0;
    while (!conn.dead && buf.length - off >= 2) {
      if (buf[off] !== V2) throw new ProtocolError(`unsupported protocol version byte 0x${(buf[off] ?? 0).toString(16)}`);
      const type = String.fromCharCode(buf[off + 1] ?? 0);
      if (type === 'W') {
        if (inner) throw new ProtocolError('window frame inside a compressed frame');
        if (buf.length - off < 6) break;
        const count = buf.readUInt32BE(off + 2);
        off += 6;
        this.onWindow(conn, count);
      } else if (type === 'J') {
        if (buf.length - off < 10) break;
        const seq = buf.readUInt32BE(off + 2);
        const len = buf.readUInt32BE(off + 6);
        if (buf.length - off < 10 + len) break;
        const payload = buf.subarray(off + 10, off + 10 + len);
        off += 10 + len;
        this.onEvent(conn, seq, JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
      } else if (type === 'C') {
        if (buf.length - off < 6) break;
        const len = buf.readUInt32BE(off + 2);
        if (buf.length - off < 6 + len) break;
        const data = inflateSync(buf.subarray(off + 6, off + 6 + len));
        off += 6 + len;
        const last = this.windows[this.windows.length - 1];
        if (last !== undefined && last.connection === conn.id) last.compressed = true;
        const used = this.parse(conn, data, true);
        if (!conn.dead && used !== data.length) throw new ProtocolError('truncated frame inside a compressed frame');
      } else {
        throw new ProtocolError(`unknown frame type ${JSON.stringify(type)}`);
      }
    }
    return off;
  }

  private onWindow(conn: ConnState, count: number): void {
    this.windows.push({ connection: conn.id, count, compressed: false });
    const max = this.behaviour.maxWindow;
    if (max !== undefined && count > max) {
      this.kill(conn);
      return;
    }
    conn.windows.push({ count, events: [], acked: 0, complete: false });
  }

  private onEvent(conn: ConnState, seq: number, doc: Record<string, unknown>): void {
    const win = conn.windows.find((w) => !w.complete);
    if (win === undefined) throw new ProtocolError('event outside a window');
    if (seq !== win.events.length + 1) throw new ProtocolError(`sequence ${seq} where ${win.events.length + 1} was expected`);
    this.events.push(doc);
    win.events.push(doc);
    const b = this.behaviour;
    if (b.dropAfterEvents !== undefined) {
      b.dropAfterEvents--;
      if (b.dropAfterEvents <= 0) {
        b.dropAfterEvents = undefined;
        this.kill(conn);
        return;
      }
    }
    if (b.silent) return;
    if (b.ackThenDrop !== undefined && seq === Math.min(b.ackThenDrop, win.count)) {
      b.ackThenDrop = undefined;
      this.ack(conn, win, seq);
      // Let the ack reach the client before the connection goes.
      conn.socket.end();
      conn.dead = true;
      this.sockets.delete(conn);
      return;
    }
    if (seq === win.count && b.bogusAck) {
      this.ack(conn, win, seq + 1);
    } else if (seq === win.count) {
      win.complete = true;
      this.finish(conn, win);
    } else if (b.partialAckEvery > 0 && seq % b.partialAckEvery === 0 && b.ackDelayMs === 0) {
      this.ack(conn, win, seq);
    }
  }

  private finish(conn: ConnState, win: PendingWindow): void {
    const b = this.behaviour;
    if (b.ackDelayMs <= 0) {
      this.ackInOrder(conn);
      return;
    }
    let keepAlive: NodeJS.Timeout | undefined;
    if (b.keepAliveMs > 0) {
      keepAlive = setInterval(() => {
        if (!conn.dead && conn.windows[0] === win) this.ack(conn, win, win.acked);
      }, b.keepAliveMs);
      conn.timers.add(keepAlive);
    }
    const t = setTimeout(() => {
      conn.timers.delete(t);
      if (keepAlive !== undefined) {
        clearInterval(keepAlive);
        conn.timers.delete(keepAlive);
      }
      (win as { ready?: boolean }).ready = true;
      this.ackInOrder(conn);
    }, b.ackDelayMs);
    conn.timers.add(t);
  }

  /** Sends the final acks of the oldest windows that are complete (and not delayed), in order. */
  private ackInOrder(conn: ConnState): void {
    for (;;) {
      const head = conn.windows[0];
      if (head === undefined || !head.complete) return;
      if (this.behaviour.ackDelayMs > 0 && (head as { ready?: boolean }).ready !== true) return;
      this.ack(conn, head, head.count);
      conn.windows.shift();
    }
  }

  private ack(conn: ConnState, win: PendingWindow, seq: number): void {
    if (conn.dead) return;
    const frame = Buffer.allocUnsafe(6);
    frame[0] = V2;
    frame[1] = 0x41; // 'A'
    frame.writeUInt32BE(seq, 2);
    conn.socket.write(frame);
    this.acks.push([conn.id, seq]);
    for (let i = win.acked; i < Math.min(seq, win.events.length); i++) this.acked.push(win.events[i] as Record<string, unknown>);
    if (seq > win.acked) win.acked = seq;
  }
}

/** Polls `cond` every few ms until it holds; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
