// packetbeat-protocol-linecount: an example third-party Packetbeat protocol,
// built only on @packetbeat-ts/protocol-sdk.
//
// The protocol: the client sends a line `COUNT <words...>\n`; the server
// answers `<n>\n` (the number of words) or `ERR <reason>\n`. A client may
// send several lines before reading the answers, which come in order.
import {
  defineProtocol,
  FROM_CLIENT,
  PipelinedCorrelator,
  StreamBuffer,
  type ConnectionInfo,
  type Direction,
  type Micros,
  type ProtocolPlugin,
  type TransactionStatus,
} from '@packetbeat-ts/protocol-sdk';

export interface LinecountConfig {
  /** Longest line accepted, in bytes (without its line ending). */
  readonly max_line_length: number;
}

interface Request {
  readonly line: string;
  readonly command: string;
  readonly words: string[];
  readonly start: Micros;
  readonly bytes: number;
}

interface Response {
  readonly line: string;
  readonly bytes: number;
}

export interface LinecountConnection {
  /** The start of a line not yet ended, indexed by Direction (0: from the client, 1: from the server). */
  readonly buffers: [StreamBuffer, StreamBuffer];
  readonly requests: PipelinedCorrelator<Request>;
  /** Per Direction: inside a line that was too long, dropping bytes up to its end. */
  readonly skipping: [boolean, boolean];
}

const NEWLINE = 0x0a;
const CR = 0x0d;

function parseRequest(line: string, start: Micros, bytes: number): Request {
  const tokens = line.trim().split(/\s+/).filter((t) => t !== '');
  return { line, command: (tokens[0] ?? '').toUpperCase(), words: tokens.slice(1), start, bytes };
}

const linecount: ProtocolPlugin<LinecountConfig, LinecountConnection> = defineProtocol<LinecountConfig, LinecountConnection>({
  name: 'linecount',
  sdkVersion: '^1.0.0',
  transports: ['tcp'],
  defaultPorts: [7777],
  configSchema: {
    max_line_length: { doc: 'Longest line accepted, in bytes', format: 'positive-int', default: 4096 },
  },

  create(ctx) {
    const { config } = ctx;
    const timeoutMicros = config.transaction_timeout * 1000;
    const tooLong = ctx.counter('line_too_long');
    const unmatched = ctx.counter('unmatched_responses');
    const dropped = ctx.counter('requests_dropped');
    // Open connections, so that expire() can reach their pending requests.
    const open = new Map<number, { conn: ConnectionInfo; state: LinecountConnection }>();

    function report(conn: ConnectionInfo, req: Request | undefined, res: Response | undefined): void {
      const now = ctx.now();
      const request: Record<string, unknown> = {};
      const response: Record<string, unknown> = {};
      const notes: string[] = [];
      let status: TransactionStatus = 'OK';
      if (req !== undefined) request['words'] = req.words;
      else {
        status = 'Error';
        notes.push('Unmatched response');
      }
      if (res === undefined) {
        status = 'Error';
        notes.push('Response timed out');
      } else if (/^\d+$/.test(res.line)) {
        response['count'] = Number(res.line);
      } else if (res.line === 'ERR' || res.line.startsWith('ERR ')) {
        status = 'Error';
        response['error'] = res.line.slice(4);
      } else {
        status = 'Error';
        notes.push('Malformed response');
      }
      const fields: Record<string, unknown> = {};
      if (Object.keys(request).length > 0) fields['request'] = request;
      if (Object.keys(response).length > 0) fields['response'] = response;
      ctx.report({
        conn,
        status,
        start: req?.start ?? now,
        end: res === undefined ? undefined : now,
        method: req?.command,
        query: req?.line,
        requestBytes: req?.bytes,
        responseBytes: res?.bytes,
        request: config.send_request && req !== undefined ? `${req.line}\n` : undefined,
        response: config.send_response && res !== undefined ? `${res.line}\n` : undefined,
        notes: notes.length > 0 ? notes : undefined,
        fields: { linecount: fields },
      });
    }

    /** One complete line (line ending included in `bytes`) from `dir`. */
    function onLine(state: LinecountConnection, conn: ConnectionInfo, dir: Direction, line: string, bytes: number): void {
      const now = ctx.now();
      if (dir === FROM_CLIENT) {
        state.requests.pushRequest(parseRequest(line, now, bytes), now);
      } else {
        const req = state.requests.shiftRequest();
        if (req === undefined) unmatched.inc();
        report(conn, req, { line, bytes });
      }
    }

    return {
      tcp: {
        init(conn) {
          const max = config.max_line_length + 2;
          const state: LinecountConnection = {
            buffers: [new StreamBuffer({ maxBytes: max }), new StreamBuffer({ maxBytes: max })],
            requests: new PipelinedCorrelator<Request>({ maxPending: 100, onDropped: () => dropped.inc() }),
            skipping: [false, false],
          };
          open.set(conn.id, { conn, state });
          return state;
        },

        onData(state, conn, dir, data) {
          // The buffer holds at most the start of one line; each newline in
          // `data` completes it.
          const buf = state.buffers[dir];
          let rest = data;
          while (rest.length > 0) {
            const nl = rest.indexOf(NEWLINE);
            const piece = nl < 0 ? rest : rest.subarray(0, nl + 1);
            rest = nl < 0 ? rest.subarray(rest.length) : rest.subarray(nl + 1);
            if (state.skipping[dir]) {
              // Inside a line that was too long (or cut by a gap): drop up to its end.
              if (nl >= 0) state.skipping[dir] = false;
              continue;
            }
            if (buf.available + piece.length > config.max_line_length + 2 || !buf.append(piece)) {
              tooLong.inc();
              if (ctx.log.isDebugEnabled()) ctx.log.debug('line too long, dropping it', { connection: conn.id, dir });
              buf.clear();
              if (nl < 0) state.skipping[dir] = true;
              continue;
            }
            if (nl < 0) break;
            const eol = buf.available - 1;
            const end = eol > 0 && buf.readUInt8(eol - 1) === CR ? eol - 1 : eol;
            const line = buf.readString(0, end, 'utf8');
            const bytes = buf.available;
            buf.clear();
            if (end > config.max_line_length) tooLong.inc();
            else onLine(state, conn, dir, line, bytes);
          }
        },

        onGap(state, _conn, dir) {
          state.buffers[dir].clear(); // resynchronise at the next line
          state.skipping[dir] = true;
          return false;
        },

        onClose(state, conn) {
          for (const req of state.requests.drain()) report(conn, req, undefined);
          open.delete(conn.id);
        },
      },

      expire(now) {
        for (const { conn, state } of open.values()) {
          state.requests.expire(now, timeoutMicros, (req) => report(conn, req, undefined));
        }
      },
    };
  },
});

export default linecount;
