import type { ConnectionInfo, Direction, Micros } from '@packetbeat-ts/protocol-sdk';
import { OP_QUITQ } from './codes.js';
import { addResponse, keepRaw, type MemcacheSink } from './connection.js';
import { parseMessage, type Message } from './parser.js';
import { buildTransaction } from './transaction.js';

/** The 8-byte frame header of memcache over UDP: request id, sequence number, datagram count, reserved. */
export const UDP_HEADER = 8;
/** UDP transactions tracked at once; beyond it the oldest is reported. */
export const MAX_UDP_TRANSACTIONS = 10_000;

interface UdpMessage {
  readonly numDatagrams: number;
  readonly parts: Map<number, Uint8Array>;
  bytes: number;
  complete: boolean;
}

interface UdpTransaction {
  readonly conn: ConnectionInfo;
  readonly key: string;
  readonly messages: [UdpMessage | undefined, UdpMessage | undefined];
  request: Message | undefined;
  response: Message | undefined;
  deadline: Micros;
}

/** Memcache over UDP: reassembles multi-datagram messages and pairs request and response by request id. */
export class MemcacheUdp {
  /** By connection and request id, oldest deadline first (re-inserted when touched). */
  private readonly transactions = new Map<string, UdpTransaction>();

  constructor(private readonly sink: MemcacheSink) {}

  get pending(): number {
    return this.transactions.size;
  }

  /** Bytes held in partial messages (for tests). */
  get buffered(): number {
    let n = 0;
    for (const t of this.transactions.values()) for (const m of t.messages) n += m?.bytes ?? 0;
    return n;
  }

  onDatagram(conn: ConnectionInfo, dir: Direction, data: Uint8Array): void {
    if (data.length < UDP_HEADER) return;
    const requestId = ((data[0] as number) << 8) | (data[1] as number);
    const seq = ((data[2] as number) << 8) | (data[3] as number);
    const numDatagrams = ((data[4] as number) << 8) | (data[5] as number);
    // memcached 1.6 sends an empty frame counting 0 datagrams ahead of some
    // responses: it carries nothing, and must not disturb the transaction.
    if (numDatagrams === 0 || seq >= numDatagrams) return;
    const now = this.sink.now();
    const key = `${conn.client.ip}|${conn.client.port}|${conn.server.ip}|${conn.server.port}|${requestId}`;
    let trans = this.transactions.get(key);
    if (trans === undefined) {
      if (this.transactions.size >= MAX_UDP_TRANSACTIONS) {
        const oldest = this.transactions.values().next().value as UdpTransaction;
        this.finish(oldest);
      }
      trans = { conn, key, messages: [undefined, undefined], request: undefined, response: undefined, deadline: 0 };
    } else {
      this.transactions.delete(key);
    }
    trans.deadline = now + this.sink.config.udpTimeoutUs;
    this.transactions.set(key, trans);

    let udpMsg = trans.messages[dir];
    if (udpMsg === undefined) {
      udpMsg = { numDatagrams, parts: new Map(), bytes: 0, complete: false };
      trans.messages[dir] = udpMsg;
    }
    if (udpMsg.numDatagrams !== numDatagrams) {
      this.transactions.delete(key);
      return;
    }
    if (udpMsg.complete || udpMsg.parts.has(seq)) return;
    const body = data.subarray(UDP_HEADER);
    if (udpMsg.bytes + body.length > this.sink.config.maxStreamBytes) {
      this.transactions.delete(key);
      return;
    }
    udpMsg.parts.set(seq, body.slice());
    udpMsg.bytes += body.length;
    if (udpMsg.parts.size < numDatagrams) return;
    udpMsg.complete = true;
    const payload = new Uint8Array(udpMsg.bytes);
    let o = 0;
    for (let i = 0; i < numDatagrams; i++) {
      const part = udpMsg.parts.get(i) as Uint8Array;
      payload.set(part, o);
      o += part.length;
    }
    udpMsg.parts.clear();
    udpMsg.bytes = 0;

    const msg = this.parsePayload(payload, now);
    if (msg === undefined) {
      this.transactions.delete(key);
      return;
    }
    let done: boolean;
    if (msg.isRequest) {
      trans.request = msg;
      done = msg.noreply || (!msg.isBinary && msg.command === 'quit') || (msg.isBinary && msg.opcode === OP_QUITQ);
    } else {
      trans.response = msg;
      done = false;
    }
    if (done || (trans.request !== undefined && trans.response !== undefined)) this.finish(trans);
  }

  /** One message per payload; the responses following it in the payload (VALUE…END, STAT…END) merge into it. */
  private parsePayload(payload: Uint8Array, now: Micros): Message | undefined {
    const cfg = this.sink.config;
    let first: Message | undefined;
    const responses: Message[] = [];
    let off = 0;
    while (off < payload.length) {
      const view = payload.subarray(off);
      const res = parseMessage(view, now, cfg);
      if (res.kind !== 'message') break;
      keepRaw(res.msg, view.subarray(0, res.consumed), cfg);
      off += res.consumed;
      if (first === undefined) {
        first = res.msg;
        if (first.isRequest) break;
        addResponse(responses, first, cfg.maxValues);
        if (first.isComplete) break;
        continue;
      }
      if (res.msg.isRequest || addResponse(responses, res.msg, cfg.maxValues) !== first) break;
      if (first.isComplete) break;
    }
    return first;
  }

  private finish(trans: UdpTransaction): void {
    this.transactions.delete(trans.key);
    if (trans.request === undefined && trans.response === undefined) return;
    this.sink.report(buildTransaction(trans.conn, trans.request, trans.response));
  }

  /** Reports the transactions whose wait (udptransactiontimeout) ended by `now`. */
  expire(now: Micros): void {
    for (const trans of this.transactions.values()) {
      if (trans.deadline > now) break;
      this.finish(trans);
    }
  }
}
