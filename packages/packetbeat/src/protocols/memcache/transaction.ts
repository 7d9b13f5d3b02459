import type { ConnectionInfo, Transaction, TransactionStatus } from '@packetbeat-ts/protocol-sdk';
import { messageFields, type Message } from './parser.js';

const CLIENT_ERROR_CODES = new Set(['CLIENT_ERROR', 'SAME']);
const SERVER_ERROR_CODES = new Set(['SERVER_ERROR', 'BUSY', 'BADCLASS', 'NOSPARE', 'NOTFULL', 'UNSAFE']);

/** Packetbeat's transaction status for a request/response pair (either may be missing). */
export function transactionStatus(req: Message | undefined, resp: Message | undefined): TransactionStatus {
  if (req === undefined) return resp === undefined ? 'Error' : 'Client Error';
  if (resp === undefined) {
    if (req.quiet || req.noreply) return 'OK';
    if (req.command === 'quit') return 'OK';
    return 'Server Error';
  }
  if (req.isBinary) {
    if (resp.status === 0) return 'OK';
    return resp.status > 0x80 ? 'Server Error' : 'Error';
  }
  if (resp.type !== 'Fail') return 'OK';
  if (CLIENT_ERROR_CODES.has(resp.textCode)) return 'Client Error';
  if (SERVER_ERROR_CODES.has(resp.textCode)) return 'Server Error';
  return 'Error';
}

/** Builds the transaction of `req` and `resp` (one may be missing) as Packetbeat's memcache event. */
export function buildTransaction(conn: ConnectionInfo, req: Message | undefined, resp: Message | undefined, extraNotes: readonly string[] = []): Transaction {
  const first = (req ?? resp) as Message;
  const memcache: Record<string, unknown> = { protocol_type: first.isBinary ? 'binary' : 'text' };
  const event: Record<string, unknown> = {};
  if (req !== undefined) {
    memcache['request'] = messageFields(req);
    event['action'] = `memcache.${req.type.toLowerCase()}`;
  }
  if (resp !== undefined) {
    memcache['response'] = messageFields(resp);
    // Packetbeat reads the binary status for both protocols (0, "Success", for text).
    if (resp.status === 0) event['outcome'] = 'success';
  }
  const notes = [...(req?.notes ?? []), ...(resp?.notes ?? []), ...extraNotes];
  const fields: Record<string, unknown> = { memcache };
  if (Object.keys(event).length > 0) fields['event'] = event;
  const tx: {
    -readonly [K in keyof Transaction]: Transaction[K];
  } = {
    conn,
    status: transactionStatus(req, resp),
    start: first.ts,
    fields,
  };
  if (resp !== undefined) tx.end = Math.max(resp.ts, first.ts);
  if (req !== undefined) tx.requestBytes = req.size;
  if (resp !== undefined) tx.responseBytes = resp.size;
  if (req?.raw !== undefined) tx.request = req.raw;
  if (resp?.raw !== undefined) tx.response = resp.raw;
  if (notes.length > 0) tx.notes = notes;
  return tx;
}
