import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as zlib from 'node:zlib';

/**
 * A small Elasticsearch-compatible HTTP server for tests: enough of the real
 * protocol for the official 8.x client (the `x-elastic-product` header, the
 * `compatible-with=8` media type, gzip request bodies) and for a beat's
 * output: `GET /`, `_bulk` with NDJSON parsing and per-item results,
 * index templates, ILM policies and data streams, plus fault injection.
 * Depends on nothing but Node, so other packages' tests can import it.
 */

export interface StoredDoc {
  readonly _id: string;
  readonly _source: Record<string, unknown>;
  readonly op: string;
  readonly pipeline: string | undefined;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  /** The body after gunzip. */
  readonly body: string;
}

export interface EsTestServerOptions {
  /** Reported by `GET /`. Default 8.19.0. */
  readonly version?: string;
  /** Require basic authentication with these credentials (or `apiKey`). */
  readonly username?: string;
  readonly password?: string;
  /** Require `Authorization: ApiKey <apiKey>` (the encoded form). */
  readonly apiKey?: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

type DocPredicate = (doc: Record<string, unknown>, index: string) => boolean;

interface ErrorBody {
  type: string;
  reason: string;
}

function errorResponse(status: number, type: string, reason: string): { status: number; body: unknown } {
  return { status, body: { error: { root_cause: [{ type, reason }], type, reason }, status } };
}

export class EsTestServer {
  readonly version: string;
  readonly requests: RecordedRequest[] = [];
  /** Documents by index, in the order they were written. */
  readonly docs = new Map<string, StoredDoc[]>();
  readonly templates = new Map<string, unknown>();
  readonly policies = new Map<string, unknown>();
  readonly dataStreams = new Set<string>();
  /** Bulk requests answered (any status). */
  bulkRequests = 0;

  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly options: EsTestServerOptions;
  private nextId = 1;
  private seqNo = 0;
  // Fault injection
  private itemRejections: { count: number; status: number }[] = [];
  private requestFailures: { count: number; status: number }[] = [];
  private delays: { count: number; ms: number }[] = [];
  private connectionDrops = 0;
  private mappingPredicate: DocPredicate | undefined;
  private port = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(options: EsTestServerOptions) {
    this.options = options;
    this.version = options.version ?? '8.19.0';
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res);
    };
    this.server = options.tls === undefined ? http.createServer(handler) : https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler);
    this.server.on(options.tls === undefined ? 'connection' : 'secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  static async start(options: EsTestServerOptions = {}): Promise<EsTestServer> {
    const s = new EsTestServer(options);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(0, '127.0.0.1', () => resolve());
    });
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get url(): string {
    return `${this.options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${this.port}`;
  }

  /** `127.0.0.1:port`, as written in `hosts`. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- faults

  /** The next `count` documents get this item status (429 by default) instead of being stored. */
  rejectNextItems(count: number, status = 429): void {
    this.itemRejections.push({ count, status });
  }

  /** The next `count` bulk requests are answered with this status as a whole (503 by default). */
  failNextRequests(count: number, status = 503): void {
    this.requestFailures.push({ count, status });
  }

  /** The next `count` responses wait `ms` milliseconds first. */
  delayNextResponses(count: number, ms: number): void {
    this.delays.push({ count, ms });
  }

  /** The next `count` requests get their connection closed without an answer. */
  dropNextConnections(count: number): void {
    this.connectionDrops += count;
  }

  /** Documents matching `predicate` fail with a 400 mapping error; `undefined` clears it. */
  mappingErrors(predicate: DocPredicate | undefined): void {
    this.mappingPredicate = predicate;
  }

  // ---------------------------------------------------------------- queries

  /** Stored documents of `index` (their `_source`). */
  sources(index: string): Record<string, unknown>[] {
    return (this.docs.get(index) ?? []).map((d) => d._source);
  }

  /** Total number of stored documents. */
  count(): number {
    let n = 0;
    for (const docs of this.docs.values()) n += docs.length;
    return n;
  }

  bulkRequestsSeen(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/_bulk'));
  }

  // ---------------------------------------------------------------- HTTP

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.connectionDrops > 0) {
      this.connectionDrops--;
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      const enc = (req.headers['content-encoding'] ?? '').toLowerCase();
      try {
        if (enc.includes('gzip')) raw = zlib.gunzipSync(raw);
        else if (enc.includes('deflate')) raw = zlib.inflateSync(raw);
      } catch {
        this.send(req, res, errorResponse(400, 'parse_exception', 'cannot decompress the body'));
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: raw.toString('utf8') };
      this.requests.push(record);
      let out: { status: number; body: unknown };
      try {
        out = this.route(record);
      } catch (err) {
        out = errorResponse(500, 'exception', err instanceof Error ? err.message : String(err));
      }
      const delay = this.takeDelay();
      if (delay > 0) {
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.send(req, res, out);
        }, delay);
        this.timers.add(t);
      }
      else this.send(req, res, out);
    });
  }

  private takeDelay(): number {
    const d = this.delays[0];
    if (d === undefined) return 0;
    if (--d.count <= 0) this.delays.shift();
    return d.ms;
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, out: { status: number; body: unknown }): void {
    if (res.destroyed || req.socket.destroyed) return;
    const accept = req.headers.accept ?? '';
    const type = accept.includes('application/vnd.elasticsearch+json') ? 'application/vnd.elasticsearch+json;compatible-with=8' : 'application/json';
    const headers: http.OutgoingHttpHeaders = { 'content-type': type, 'x-elastic-product': 'Elasticsearch' };
    if (out.status === 401) headers['www-authenticate'] = 'Basic realm="security" charset="UTF-8", ApiKey';
    if (req.method === 'HEAD') {
      res.writeHead(out.status, headers);
      res.end();
      return;
    }
    const body = JSON.stringify(out.body);
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(out.status, headers);
    res.end(body);
  }

  private authorized(r: RecordedRequest): boolean {
    const { username, apiKey } = this.options;
    if (username === undefined && apiKey === undefined) return true;
    const auth = r.headers.authorization ?? '';
    if (apiKey !== undefined && auth === `ApiKey ${apiKey}`) return true;
    if (username !== undefined) {
      const expected = `Basic ${Buffer.from(`${username}:${this.options.password ?? ''}`).toString('base64')}`;
      if (auth === expected) return true;
    }
    return false;
  }

  private route(r: RecordedRequest): { status: number; body: unknown } {
    if (!this.authorized(r)) {
      return errorResponse(401, 'security_exception', `unable to authenticate user for REST request [${r.path}]`);
    }
    const parts = r.path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
    const m = r.method;
    if (parts.length === 0 && (m === 'GET' || m === 'HEAD')) return { status: 200, body: this.info() };
    if (parts[parts.length - 1] === '_bulk' && parts.length <= 2 && (m === 'POST' || m === 'PUT')) {
      this.bulkRequests++;
      const failure = this.requestFailures[0];
      if (failure !== undefined) {
        if (--failure.count <= 0) this.requestFailures.shift();
        const type = failure.status === 429 ? 'es_rejected_execution_exception' : 'unavailable_shards_exception';
        return errorResponse(failure.status, type, `injected failure (status ${failure.status})`);
      }
      return this.bulk(r.body, parts.length === 2 ? parts[0] : undefined, r.query.get('pipeline') ?? undefined);
    }
    const [a, b, c] = parts;
    if (a === '_index_template' && b !== undefined && parts.length === 2) return this.namedResource(m, this.templates, b, 'index_template');
    if (a === '_ilm' && b === 'policy' && c !== undefined && parts.length === 3) return this.namedResource(m, this.policies, c, 'ilm');
    if (a === '_data_stream' && b !== undefined && parts.length === 2) return this.dataStream(m, b);
    return errorResponse(404, 'resource_not_found_exception', `no handler for ${m} ${r.path}`);
  }

  private info(): unknown {
    return {
      name: 'es-test-server',
      cluster_name: 'test',
      cluster_uuid: 'c2VydmVyLXRlc3QtY2x1c3Rlcg',
      version: {
        number: this.version,
        build_flavor: 'default',
        build_type: 'docker',
        build_hash: '0000000000000000000000000000000000000000',
        build_date: '2025-01-01T00:00:00.000Z',
        build_snapshot: false,
        lucene_version: '9.12.0',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'You Know, for Search',
    };
  }

  private namedResource(method: string, store: Map<string, unknown>, name: string, kind: 'index_template' | 'ilm'): { status: number; body: unknown } {
    const last = this.requests[this.requests.length - 1];
    if (method === 'PUT' || method === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse(last?.body ?? '');
      } catch {
        return errorResponse(400, 'parse_exception', 'request body is required and must be JSON');
      }
      store.set(name, body);
      return { status: 200, body: { acknowledged: true } };
    }
    const value = store.get(name);
    if (method === 'DELETE') {
      if (!store.delete(name)) return errorResponse(404, 'resource_not_found_exception', `${kind} [${name}] missing`);
      return { status: 200, body: { acknowledged: true } };
    }
    if (value === undefined) return errorResponse(404, 'resource_not_found_exception', `${kind} [${name}] missing`);
    if (method === 'HEAD') return { status: 200, body: {} };
    if (kind === 'index_template') return { status: 200, body: { index_templates: [{ name, index_template: value }] } };
    const policy = (value as { policy?: unknown }).policy ?? value;
    return { status: 200, body: { [name]: { version: 1, modified_date: new Date(0).toISOString(), policy } } };
  }

  private dataStream(method: string, name: string): { status: number; body: unknown } {
    if (method === 'PUT') {
      if (this.dataStreams.has(name)) return errorResponse(400, 'resource_already_exists_exception', `data_stream [${name}] already exists`);
      this.dataStreams.add(name);
      return { status: 200, body: { acknowledged: true } };
    }
    if (method === 'DELETE') {
      if (!this.dataStreams.delete(name)) return errorResponse(404, 'index_not_found_exception', `no such index [${name}]`);
      return { status: 200, body: { acknowledged: true } };
    }
    if (!this.dataStreams.has(name)) return errorResponse(404, 'index_not_found_exception', `no such index [${name}]`);
    return {
      status: 200,
      body: {
        data_streams: [
          { name, timestamp_field: { name: '@timestamp' }, indices: [], generation: 1, status: 'GREEN', template: '', hidden: false, system: false },
        ],
      },
    };
  }

  private takeItemRejection(): number | undefined {
    const r = this.itemRejections[0];
    if (r === undefined) return undefined;
    if (--r.count <= 0) this.itemRejections.shift();
    return r.status;
  }

  private bulk(body: string, pathIndex: string | undefined, pathPipeline: string | undefined): { status: number; body: unknown } {
    const started = Date.now();
    const lines = body.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    else if (body.length > 0) return errorResponse(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
    if (lines.length === 0) return errorResponse(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
    const items: Record<string, unknown>[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i++) {
      let action: Record<string, Record<string, unknown>>;
      try {
        action = JSON.parse(lines[i] as string) as Record<string, Record<string, unknown>>;
      } catch {
        return errorResponse(400, 'x_content_parse_exception', `[${i + 1}:1] malformed action/metadata line`);
      }
      const op = Object.keys(action)[0];
      if (op === undefined || !['index', 'create', 'update', 'delete'].includes(op)) {
        return errorResponse(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected one of [create, delete, index, update] but found [${op ?? ''}]`);
      }
      const meta = action[op] ?? {};
      const index = typeof meta['_index'] === 'string' ? meta['_index'] : pathIndex;
      if (op === 'delete') {
        items.push({ delete: { _index: index, _id: meta['_id'], status: 404, result: 'not_found' } });
        continue;
      }
      i++;
      const docLine = lines[i];
      if (docLine === undefined) return errorResponse(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
      const result = this.writeDoc(op, index, meta, docLine, pathPipeline);
      if (result.error !== undefined) errors = true;
      items.push({ [op]: result });
    }
    return { status: 200, body: { errors, took: Date.now() - started, items } };
  }

  private writeDoc(op: string, index: string | undefined, meta: Record<string, unknown>, docLine: string, pathPipeline: string | undefined): Record<string, unknown> & { error?: ErrorBody } {
    const idGiven = typeof meta['_id'] === 'string' ? meta['_id'] : undefined;
    const fail = (status: number, type: string, reason: string): Record<string, unknown> & { error: ErrorBody } => ({
      _index: index,
      _id: idGiven ?? null,
      status,
      error: { type, reason, ...(index === undefined ? {} : { index }) },
    });
    if (index === undefined || index === '') return fail(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
    if (index !== index.toLowerCase() || /[\\/*?"<>| ,#]/.test(index) || index.startsWith('_')) {
      return fail(400, 'invalid_index_name_exception', `Invalid index name [${index}], must be lowercase`);
    }
    const rejected = this.takeItemRejection();
    if (rejected !== undefined) {
      return fail(
        rejected,
        rejected === 429 ? 'es_rejected_execution_exception' : 'unavailable_shards_exception',
        rejected === 429 ? 'rejected execution of coordinating operation [injected]' : `[${index}][0] primary shard is not active (injected)`,
      );
    }
    let source: Record<string, unknown>;
    try {
      source = JSON.parse(docLine) as Record<string, unknown>;
    } catch {
      return fail(400, 'document_parsing_exception', '[1:1] failed to parse: the document is not valid JSON');
    }
    if (this.mappingPredicate?.(source, index) === true) {
      return fail(400, 'document_parsing_exception', "[1:42] failed to parse field [bytes] of type [long] in document. Preview of field's value: 'not-a-number'");
    }
    if (op === 'index' && this.dataStreams.has(index)) {
      return fail(400, 'illegal_argument_exception', `only write ops with an op_type of create are allowed in data streams`);
    }
    const docs = this.docs.get(index) ?? [];
    if (idGiven !== undefined && op === 'create' && docs.some((d) => d._id === idGiven)) {
      return fail(409, 'version_conflict_engine_exception', `[${idGiven}]: version conflict, document already exists (current version [1])`);
    }
    const id = idGiven ?? `doc-${this.nextId++}`;
    const pipeline = typeof meta['pipeline'] === 'string' ? meta['pipeline'] : pathPipeline;
    docs.push({ _id: id, _source: source, op, pipeline });
    this.docs.set(index, docs);
    return {
      _index: index,
      _id: id,
      _version: 1,
      result: 'created',
      _shards: { total: 1, successful: 1, failed: 0 },
      _seq_no: this.seqNo++,
      _primary_term: 1,
      status: 201,
    };
  }
}

/** Polls `check` until it holds or `timeoutMs` passes (then throws). */
export async function waitUntil(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
