import type { IcmpPacket, Micros, Transaction } from '@packetbeat-ts/protocol-sdk';
import { formatIPv4, formatIPv6 } from '../../decode/ip-text.js';
import type { ResolvedIcmpConfig } from './config.js';
import { Kind, isErrorType, kindOf, messageText } from './messages.js';

/** Notes (→ `error.message`), worded as Packetbeat's. */
export const DUPLICATE_REQUEST = 'Another request with the same Id and Seq was received so this request was closed without receiving a response.';
export const ORPHANED_REQUEST = 'Request was received without an associated response.';
export const ORPHANED_RESPONSE = 'Response was received without an associated request.';

/** What the tracker counts (`packetbeat.icmp.<name>` in /stats). */
export type IcmpCounter = 'unmatched_requests' | 'unmatched_responses' | 'duplicate_requests' | 'malformed' | 'evicted';

export interface IcmpTrackerSink {
  report(tx: Transaction): void;
  count(counter: IcmpCounter): void;
}

/** One ICMP message as a transaction keeps it. */
interface Message {
  readonly ts: Micros;
  readonly type: number;
  readonly code: number;
  /** Bytes after the 8-byte ICMP header, as Packetbeat counts them. */
  readonly bytes: number;
}

/** A request waiting for its answer. */
interface Pending {
  readonly version: 4 | 6;
  readonly requester: string;
  /** The request's destination (→ `path`, and `server.ip` when nobody answers). */
  readonly target: string;
  readonly vlans: readonly number[];
  readonly request: Message;
  readonly notes: string[];
}

interface Parts {
  readonly version: 4 | 6;
  readonly client: string;
  readonly server: string;
  readonly path: string;
  readonly vlans: readonly number[];
  readonly request?: Message;
  readonly response?: Message;
  readonly notes?: readonly string[];
  /** The request expected an answer (an unanswered one is an error). */
  readonly expectsAnswer: boolean;
}

const NO_VLANS: readonly number[] = [];

function u16(b: Uint8Array, off: number): number {
  return off + 1 < b.length ? (b[off]! << 8) | b[off + 1]! : 0;
}

function idKey(version: 4 | 6, requester: string, target: string, id: number, seq: number): string {
  return `${version}|${requester}|${target}|${id}|${seq}`;
}

function isGroupAddress(version: 4 | 6, ip: string): boolean {
  if (version === 6) return ip.startsWith('ff');
  const first = Number(ip.slice(0, ip.indexOf('.')));
  return (first >= 224 && first <= 239) || ip === '255.255.255.255';
}

/**
 * Pairs ICMP/ICMPv6 requests with their responses, as Packetbeat does, and
 * a little further:
 *
 * - echo, timestamp, information and address mask requests with the reply
 *   carrying the same id and sequence between the same two hosts;
 * - router solicitations with the router advertisement sent to the
 *   solicitor (or to all nodes, which answers every waiting solicitation);
 * - IPv6 neighbour solicitations with the advertisement for the same
 *   target sent back to the solicitor (duplicate address detection, from
 *   `::`, expects no answer);
 * - an error (destination unreachable, time exceeded…) quoting a waiting
 *   echo-like request answers that request (status `Error`).
 *
 * Every other message is published on its own (errors with status
 * `Error`). A request nobody answers is published with status `Error`
 * once `transaction_timeout` passes (`expire`), or at the end of a capture.
 * At most `max_pending_requests` requests wait: beyond that, the oldest is
 * published as unanswered.
 */
export class IcmpTracker {
  /** Id/sequence requests and neighbour solicitations, in arrival order. */
  private readonly pending = new Map<string, Pending>();
  /** Router solicitations by `version|solicitor`, in arrival order. */
  private readonly solicitations = new Map<string, Pending>();

  constructor(
    private readonly config: ResolvedIcmpConfig,
    private readonly sink: IcmpTrackerSink,
  ) {}

  /** Requests waiting for an answer. */
  get waiting(): number {
    return this.pending.size + this.solicitations.size;
  }

  onMessage(packet: IcmpPacket, message: Uint8Array, now: Micros): void {
    const version = packet.version;
    if (message.length < (version === 4 ? 8 : 4)) {
      this.sink.count('malformed');
      return;
    }
    const type = message[0]!;
    const msg: Message = { ts: now, type, code: message[1]!, bytes: Math.max(0, message.length - 8) };
    switch (kindOf(version, type)) {
      case Kind.IdRequest:
        this.track(this.pending, idKey(version, packet.source, packet.destination, u16(message, 4), u16(message, 6)), packet, msg);
        return;
      case Kind.IdReply: {
        const request = this.take(this.pending, idKey(version, packet.destination, packet.source, u16(message, 4), u16(message, 6)));
        if (request !== undefined) this.answer(request, packet.source, msg);
        else this.orphanResponse(packet, msg);
        return;
      }
      case Kind.RouterSolicitation:
        this.track(this.solicitations, `${version}|${packet.source}`, packet, msg);
        return;
      case Kind.RouterAdvertisement:
        if (!this.advertise(packet, msg)) this.alone(packet, msg);
        return;
      case Kind.NeighborSolicitation: {
        const target = message.length >= 24 ? formatIPv6(message, 8) : '';
        if (target === '' || packet.source === '::') this.alone(packet, msg);
        else this.track(this.pending, `ns|${packet.source}|${target}`, packet, msg);
        return;
      }
      case Kind.NeighborAdvertisement: {
        const target = message.length >= 24 ? formatIPv6(message, 8) : '';
        const request = target === '' ? undefined : this.take(this.pending, `ns|${packet.destination}|${target}`);
        if (request !== undefined) this.answer(request, packet.source, msg);
        else this.alone(packet, msg);
        return;
      }
      case Kind.Error: {
        const key = quotedRequestKey(version, message);
        const request = key === undefined ? undefined : this.take(this.pending, key);
        if (request !== undefined) this.answer(request, packet.source, msg);
        else this.alone(packet, msg);
        return;
      }
      default:
        this.alone(packet, msg);
    }
  }

  /** Publishes the requests that waited longer than `transaction_timeout` (all of them for `+Infinity`). */
  expire(now: Micros): void {
    const cutoff = now - this.config.transactionTimeoutUs;
    for (const map of [this.pending, this.solicitations]) {
      for (const [key, p] of map) {
        // Arrival order: the first one still in time ends the scan.
        if (!(p.request.ts < cutoff)) break;
        map.delete(key);
        this.unanswered(p);
      }
    }
  }

  private take(map: Map<string, Pending>, key: string): Pending | undefined {
    const p = map.get(key);
    if (p !== undefined) map.delete(key);
    return p;
  }

  private track(map: Map<string, Pending>, key: string, packet: IcmpPacket, msg: Message): void {
    const previous = this.take(map, key);
    if (previous !== undefined) {
      previous.notes.push(DUPLICATE_REQUEST);
      this.sink.count('duplicate_requests');
      this.publishPending(previous, undefined, undefined);
    }
    if (this.waiting >= this.config.maxPending) this.evictOldest();
    map.set(key, {
      version: packet.version,
      requester: packet.source,
      target: packet.destination,
      vlans: packet.vlans.length === 0 ? NO_VLANS : [...packet.vlans],
      request: msg,
      notes: [],
    });
  }

  private evictOldest(): void {
    const a = this.pending.entries().next();
    const b = this.solicitations.entries().next();
    let map = this.pending;
    let entry = a.done === true ? undefined : a.value;
    if (b.done !== true && (entry === undefined || b.value[1].request.ts < entry[1].request.ts)) {
      map = this.solicitations;
      entry = b.value;
    }
    if (entry === undefined) return;
    map.delete(entry[0]);
    this.sink.count('evicted');
    this.unanswered(entry[1]);
  }

  /** A router advertisement answers the solicitor it is sent to, or every waiting solicitor when sent to a group. */
  private advertise(packet: IcmpPacket, msg: Message): boolean {
    if (!isGroupAddress(packet.version, packet.destination)) {
      const request = this.take(this.solicitations, `${packet.version}|${packet.destination}`);
      if (request === undefined) return false;
      this.answer(request, packet.source, msg);
      return true;
    }
    let answered = false;
    for (const [key, p] of this.solicitations) {
      if (p.version !== packet.version) continue;
      this.solicitations.delete(key);
      this.answer(p, packet.source, msg);
      answered = true;
    }
    return answered;
  }

  private unanswered(p: Pending): void {
    p.notes.push(ORPHANED_REQUEST);
    this.sink.count('unmatched_requests');
    this.publishPending(p, undefined, undefined);
  }

  private answer(p: Pending, responder: string, response: Message): void {
    this.publishPending(p, responder, response);
  }

  private publishPending(p: Pending, responder: string | undefined, response: Message | undefined): void {
    this.publish({
      version: p.version,
      client: p.requester,
      server: responder ?? p.target,
      path: p.target,
      vlans: p.vlans,
      request: p.request,
      ...(response !== undefined ? { response } : {}),
      notes: p.notes,
      expectsAnswer: true,
    });
  }

  /** A message that is not part of a pair (or found none): published as a request on its own. */
  private alone(packet: IcmpPacket, msg: Message): void {
    this.publish({
      version: packet.version,
      client: packet.source,
      server: packet.destination,
      path: packet.destination,
      vlans: packet.vlans,
      request: msg,
      expectsAnswer: false,
    });
  }

  /** A reply with no request: its receiver is the client. */
  private orphanResponse(packet: IcmpPacket, msg: Message): void {
    this.sink.count('unmatched_responses');
    this.publish({
      version: packet.version,
      client: packet.destination,
      server: packet.source,
      path: packet.source,
      vlans: packet.vlans,
      response: msg,
      notes: [ORPHANED_RESPONSE],
      expectsAnswer: false,
    });
  }

  private publish(t: Parts): void {
    const { version, request, response } = t;
    const failed =
      request === undefined ||
      isErrorType(version, request.type) ||
      (response !== undefined && isErrorType(version, response.type)) ||
      (t.expectsAnswer && response === undefined);
    const icmp: Record<string, unknown> = { version };
    if (request !== undefined) icmp['request'] = { message: messageText(version, request.type, request.code), type: request.type, code: request.code };
    if (response !== undefined) icmp['response'] = { message: messageText(version, response.type, response.code), type: response.type, code: response.code };
    const first = request ?? response;
    if (first === undefined) return;
    const tx: Transaction = {
      conn: { id: 0, transport: 'icmp', client: { ip: t.client, port: 0 }, server: { ip: t.server, port: 0 }, vlans: t.vlans },
      status: failed ? 'Error' : 'OK',
      start: first.ts,
      ...(request !== undefined && response !== undefined ? { end: response.ts } : {}),
      path: t.path,
      ...(request !== undefined ? { requestBytes: request.bytes } : {}),
      ...(response !== undefined ? { responseBytes: response.bytes } : {}),
      ...(t.notes !== undefined && t.notes.length > 0 ? { notes: [...t.notes] } : {}),
      fields: { icmp },
      icmp: { type: first.type, code: first.code },
    };
    this.sink.report(tx);
  }
}

/**
 * The key of the echo-like request an ICMP error quotes (the original IP
 * header and the first 8 bytes of its ICMP message follow the error's
 * 8-byte header), or `undefined` when it quotes something else.
 */
function quotedRequestKey(version: 4 | 6, m: Uint8Array): string | undefined {
  const q = 8;
  if (version === 4) {
    if (m.length < q + 20 || m[q]! >> 4 !== 4 || m[q + 9] !== 1) return undefined;
    const ihl = (m[q]! & 0x0f) * 4;
    const icmp = q + ihl;
    if (ihl < 20 || m.length < icmp + 8 || kindOf(4, m[icmp]!) !== Kind.IdRequest) return undefined;
    return idKey(4, formatIPv4(m, q + 12), formatIPv4(m, q + 16), u16(m, icmp + 4), u16(m, icmp + 6));
  }
  const icmp = q + 40;
  if (m.length < icmp + 8 || m[q]! >> 4 !== 6 || m[q + 6] !== 58 || kindOf(6, m[icmp]!) !== Kind.IdRequest) return undefined;
  return idKey(6, formatIPv6(m, q + 8), formatIPv6(m, q + 24), u16(m, icmp + 4), u16(m, icmp + 6));
}
