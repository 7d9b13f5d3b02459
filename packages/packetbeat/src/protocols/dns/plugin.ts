import {
  defineProtocol,
  FROM_CLIENT,
  KeyedCorrelator,
  StreamBuffer,
  type ConnectionInfo,
  type Direction,
  type Endpoint,
  type Micros,
  type ProtocolAnalyzer,
  type ProtocolContext,
  type ProtocolPlugin,
} from '@packetbeat-ts/protocol-sdk';
import { dnsConfigSchema, type DnsOptions } from './config.js';
import { decodeDnsMessage, type DnsMessage } from './decoder.js';
import { opcodeName } from './names.js';
import { dnsDocument, dnsToString, questionString } from './render.js';

export type { DnsOptions } from './config.js';
export { decodeDnsMessage, type DnsMessage } from './decoder.js';

/** Packetbeat's notes (error.message) for DNS transactions. */
export const NOTES = {
  nonDns: "Message's data could not be decoded as DNS",
  duplicateQuery: 'Another query with the same DNS ID from this client was received so this query was closed without receiving a response',
  noResponse: 'No response to this query was received',
  orphanedResponse: 'Response: received without an associated Query',
  udpTooLarge: 'Non-EDNS packet has size greater than 512',
  respEdnsNoSupport: 'Responder does not support EDNS',
  respEdnsUnexpected: 'Unexpected EDNS answer',
  zeroLength: "Message's length was set to zero",
} as const;

/** Largest DNS-over-UDP message without EDNS. */
const MAX_UDP_SIZE = 512;
/** A TCP message: 2-byte length and up to 65535 bytes. */
const MAX_TCP_MESSAGE = 2 + 0xffff;

type DnsTransport = 'udp' | 'tcp';

interface Message {
  readonly data: DnsMessage;
  /** Time of the message's first byte. */
  readonly at: Micros;
  /** Bytes on the wire (TCP: with the 2-byte length). */
  readonly length: number;
}

interface Pending {
  /** Oriented with `client` = the side that sent the query. */
  readonly conn: ConnectionInfo;
  readonly transport: DnsTransport;
  readonly request: Message;
  readonly notes: string[];
}

/** Per-TCP-connection state. */
export interface DnsTcpState {
  readonly buffers: [StreamBuffer, StreamBuffer];
  /** When the first byte of the message being assembled arrived, per direction. */
  readonly started: [Micros, Micros];
  /** Key of the last query on the connection (a broken response is reported on it). */
  lastQuery: string | undefined;
}

function key(transport: DnsTransport, requester: Endpoint, responder: Endpoint, id: number): string {
  return `${transport}|${requester.ip}|${requester.port}|${responder.ip}|${responder.port}|${id}`;
}

/** The connection as seen from `src` (the sender of this message) being the client. */
function orient(conn: ConnectionInfo, dir: Direction, senderIsRequester: boolean): ConnectionInfo {
  const requesterIsClient = (dir === FROM_CLIENT) === senderIsRequester;
  return requesterIsClient ? conn : { ...conn, client: conn.server, server: conn.client };
}

function createAnalyzer(ctx: ProtocolContext<DnsOptions>): ProtocolAnalyzer<DnsTcpState> {
  const { config } = ctx;
  const timeoutUs = config.transaction_timeout * 1000;
  const unmatchedRequests = ctx.counter('unmatched_requests');
  const unmatchedResponses = ctx.counter('unmatched_responses');
  const nonDns = ctx.counter('non_dns_messages');

  const pending = new KeyedCorrelator<string, Pending>({
    maxPending: config.max_pending_queries,
    onEvict(_key, p, reason) {
      p.notes.push(reason === 'duplicate' ? NOTES.duplicateQuery : NOTES.noResponse);
      if (reason === 'capacity') unmatchedRequests.inc();
      publish(p.conn, p.request, undefined, p.notes);
    },
  });

  function publish(conn: ConnectionInfo, request: Message | undefined, response: Message | undefined, notes: readonly string[]): void {
    const main = (response ?? request) as Message;
    const first = request ?? response;
    const { dns, resolvedIps } = dnsDocument(main.data, config.include_authorities, config.include_additionals);
    dns['type'] = response === undefined ? 'query' : 'answer';
    const q = first?.data.questions[0];
    const fields: Record<string, unknown> = { dns };
    if (resolvedIps.length > 0) fields['related'] = { ip: [...resolvedIps] };
    const start = request?.at ?? main.at;
    ctx.report({
      conn,
      type: 'dns',
      status: request !== undefined && response !== undefined && response.data.rcode === 0 ? 'OK' : 'Error',
      start,
      end: response?.at,
      ...(first !== undefined ? { method: opcodeName(first.data.opcode) } : {}),
      ...(q !== undefined ? { query: questionString(q), resource: q.name } : {}),
      requestBytes: request?.length,
      responseBytes: response?.length,
      request: config.send_request && request !== undefined ? dnsToString(request.data) : undefined,
      response: config.send_response && response !== undefined ? dnsToString(response.data) : undefined,
      notes: notes.length > 0 ? notes : undefined,
      fields,
    });
  }

  function receivedQuery(conn: ConnectionInfo, transport: DnsTransport, msg: Message): string {
    const k = key(transport, conn.client, conn.server, msg.data.id);
    const notes: string[] = [];
    if (transport === 'udp' && msg.data.opt !== undefined && msg.length > MAX_UDP_SIZE) notes.push(NOTES.udpTooLarge);
    pending.add(k, { conn, transport, request: msg, notes }, msg.at);
    return k;
  }

  function receivedResponse(conn: ConnectionInfo, transport: DnsTransport, msg: Message): void {
    const k = key(transport, conn.client, conn.server, msg.data.id);
    const p = pending.take(k);
    const notes = p?.notes ?? [];
    if (p === undefined) {
      notes.push(NOTES.orphanedResponse);
      unmatchedResponses.inc();
    }
    if (transport === 'udp') {
      const respEdns = msg.data.opt !== undefined;
      if (!respEdns && msg.length > MAX_UDP_SIZE) notes.push(`Response: ${NOTES.udpTooLarge}`);
      if (p !== undefined) {
        const reqEdns = p.request.data.opt !== undefined;
        if (reqEdns && !respEdns) notes.push(NOTES.respEdnsNoSupport);
        else if (!reqEdns && respEdns) notes.push(NOTES.respEdnsUnexpected);
      }
    }
    publish(p?.conn ?? conn, p?.request, msg, notes);
  }

  function handle(conn: ConnectionInfo, dir: Direction, transport: DnsTransport, msg: Message, state?: DnsTcpState): void {
    if (msg.data.response) {
      receivedResponse(orient(conn, dir, false), transport, msg);
      if (state !== undefined) state.lastQuery = undefined;
    } else {
      const k = receivedQuery(orient(conn, dir, true), transport, msg);
      if (state !== undefined) state.lastQuery = k;
    }
  }

  /** A response on TCP could not be read: report the query it answers with a note, as Packetbeat does. */
  function responseError(state: DnsTcpState, note: string): void {
    if (state.lastQuery === undefined) return;
    const p = pending.take(state.lastQuery);
    state.lastQuery = undefined;
    if (p === undefined) return;
    p.notes.push(`Response: ${note}`);
    publish(p.conn, p.request, undefined, p.notes);
  }

  function drain(state: DnsTcpState, conn: ConnectionInfo, dir: Direction): void {
    const buf = state.buffers[dir];
    while (buf.available >= 2) {
      const len = buf.readUInt16(0);
      if (len === 0) {
        if (dir !== FROM_CLIENT) responseError(state, NOTES.zeroLength);
        buf.clear();
        return;
      }
      if (buf.available < len + 2) return;
      const data = decodeDnsMessage(buf.slice(2, len + 2));
      buf.consume(len + 2);
      const at = state.started[dir];
      state.started[dir] = ctx.now();
      if (data === undefined) {
        nonDns.inc();
        if (dir !== FROM_CLIENT) responseError(state, NOTES.nonDns);
        buf.clear();
        return;
      }
      handle(conn, dir, 'tcp', { data, at, length: len + 2 }, state);
    }
  }

  return {
    udp: {
      onDatagram(conn, dir, payload) {
        const data = decodeDnsMessage(payload);
        if (data === undefined) {
          nonDns.inc();
          return;
        }
        handle(conn, dir, 'udp', { data, at: ctx.now(), length: payload.length });
      },
    },
    tcp: {
      init: () => ({
        buffers: [new StreamBuffer({ maxBytes: MAX_TCP_MESSAGE, initialCapacity: 512 }), new StreamBuffer({ maxBytes: MAX_TCP_MESSAGE, initialCapacity: 512 })],
        started: [0, 0],
        lastQuery: undefined,
      }),
      onData(state, conn, dir, data) {
        const buf = state.buffers[dir];
        let rest = data;
        while (rest.length > 0) {
          if (buf.available === 0) state.started[dir] = ctx.now();
          const piece = rest.subarray(0, buf.maxBytes - buf.available);
          rest = rest.subarray(piece.length);
          buf.append(piece);
          drain(state, conn, dir);
        }
      },
      onGap(state, _conn, dir) {
        state.buffers[dir].clear();
        return false;
      },
      onClose(state) {
        state.buffers[0].clear();
        state.buffers[1].clear();
      },
    },
    expire(now) {
      pending.expire(now, timeoutUs, (_k, p) => {
        p.notes.push(NOTES.noResponse);
        unmatchedRequests.inc();
        publish(p.conn, p.request, undefined, p.notes);
      });
    },
  };
}

/** Packetbeat's DNS analyzer (UDP and TCP). */
export const dnsPlugin: ProtocolPlugin<DnsOptions, DnsTcpState> = defineProtocol<DnsOptions, DnsTcpState>({
  name: 'dns',
  sdkVersion: '^1.0.0',
  transports: ['udp', 'tcp'],
  defaultPorts: [53],
  configSchema: dnsConfigSchema,
  create: createAnalyzer,
});

export default dnsPlugin;
