import * as fs from 'node:fs';
import { parseDuration } from '../../config/duration.js';
import { BeatError, ErrorCodes, errorMessage } from '../../errors.js';

/**
 * `output.elasticsearch` settings, as Beats names them. The values arrive
 * validated by the schema below (durations still as written: `90s`, `1m`).
 */

export interface ElasticsearchRuleConfig {
  /** A format string, e.g. `critical-%{[agent.version]}`. */
  readonly index?: string;
  readonly pipeline?: string;
  /** A condition (`{equals: {…}}`); without one the rule always applies. */
  readonly when?: unknown;
  /** Maps the expanded value to the final name. */
  readonly mappings?: Readonly<Record<string, string>>;
  /** With `mappings`: the name used when the value is not mapped. */
  readonly default?: string;
}

export interface ElasticsearchSslConfig {
  readonly enabled?: boolean;
  /** PEM files (or inline PEM text) of the CAs trusted for the server certificate. */
  readonly certificate_authorities?: readonly string[];
  /** Client certificate (PEM file or inline PEM) for mutual TLS. */
  readonly certificate?: string;
  readonly key?: string;
  readonly key_passphrase?: string;
  /** `full` (default), `strict`, `certificate` (no host name check) or `none`. */
  readonly verification_mode?: string;
}

export interface ElasticsearchOutputConfig {
  /** `host:port`, `http(s)://host:port/path`. Default `localhost:9200`. */
  readonly hosts?: readonly string[];
  /** `http` or `https` for hosts written without a scheme. */
  readonly protocol?: string;
  /** A path prefix for every request (a proxy in front of Elasticsearch). */
  readonly path?: string;
  readonly username?: string;
  readonly password?: string;
  /** `id:api_key` (as Elasticsearch returns them), or the base64 encoded pair. */
  readonly api_key?: string;
  /** Extra HTTP headers on every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra query parameters on every bulk request. */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly ssl?: ElasticsearchSslConfig;
  /** Default `<beat>-%{[agent.version]}` (the data stream). */
  readonly index?: string;
  readonly indices?: readonly ElasticsearchRuleConfig[];
  readonly pipeline?: string;
  readonly pipelines?: readonly ElasticsearchRuleConfig[];
  /** Clients per host. Default 1. */
  readonly worker?: number;
  /** Events per bulk request. Default 1600; <= 0: no limit. */
  readonly bulk_max_size?: number;
  /** gzip level 0-9; 0 disables compression. Default 1. */
  readonly compression_level?: number;
  /** Retries of one event before it is dropped; < 0: forever. Default 3. */
  readonly max_retries?: number;
  readonly backoff?: { readonly init?: string | number; readonly max?: string | number };
  /** HTTP request timeout. Default 90s. */
  readonly timeout?: string | number;
  /** Spread batches over all hosts (true, the default) or use one at a time. */
  readonly loadbalance?: boolean;
  /** What becomes of events Elasticsearch refuses for good (a 400 mapping error): `drop` (default) or a dead-letter index. */
  readonly non_indexable_policy?: { readonly drop?: unknown; readonly dead_letter_index?: { readonly index?: string } };
}

export const ES_DEFAULT_BULK_MAX_SIZE = 1600;
export const ES_DEFAULT_PORT = 9200;
export const VERIFICATION_MODES = ['full', 'strict', 'certificate', 'none'] as const;
export type VerificationMode = (typeof VERIFICATION_MODES)[number];

function compressionLevel(v: unknown): void {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 9) throw new Error('must be an integer between 0 and 9');
}

function verificationMode(v: unknown): void {
  if (v !== '' && !(VERIFICATION_MODES as readonly unknown[]).includes(v)) {
    throw new Error(`must be one of ${VERIFICATION_MODES.join(', ')}`);
  }
}

export const elasticsearchSchema: Record<string, unknown> = {
  hosts: { doc: 'Elasticsearch hosts (host:port or URLs)', format: 'string-list', default: ['localhost:9200'] },
  protocol: { doc: 'Scheme for hosts given without one: http or https', format: 'string', default: '' },
  path: { doc: 'HTTP path prefix of every request', format: 'string', default: '' },
  username: { doc: 'Basic authentication user', format: 'string', default: '' },
  password: { doc: 'Basic authentication password', format: 'string', default: '', sensitive: true },
  api_key: { doc: 'API key as id:api_key', format: 'string', default: '', sensitive: true },
  headers: { doc: 'Extra HTTP headers', format: 'map', default: {} },
  parameters: { doc: 'Extra query parameters of bulk requests', format: 'map', default: {} },
  ssl: {
    enabled: { doc: 'Use the TLS settings', format: 'bool', default: true },
    certificate_authorities: { doc: 'CA certificates (PEM files) trusted for the server', format: 'string-list', default: [] },
    certificate: { doc: 'Client certificate (PEM file)', format: 'string', default: '' },
    key: { doc: 'Client private key (PEM file)', format: 'string', default: '', sensitive: true },
    key_passphrase: { doc: 'Passphrase of the client key', format: 'string', default: '', sensitive: true },
    verification_mode: { doc: 'full, strict, certificate or none', format: verificationMode, default: '' },
  },
  index: { doc: 'Index or data stream name (format string); empty: <beat>-%{[agent.version]}', format: 'string', default: '' },
  indices: { doc: 'Index rules: [{index, when, mappings, default}]', format: 'list', default: [] },
  pipeline: { doc: 'Ingest pipeline (format string)', format: 'string', default: '' },
  pipelines: { doc: 'Ingest pipeline rules: [{pipeline, when, mappings, default}]', format: 'list', default: [] },
  worker: { doc: 'Clients per host', format: 'positive-int', default: 1 },
  bulk_max_size: { doc: 'Events per bulk request (<= 0: no limit)', format: 'integer', default: ES_DEFAULT_BULK_MAX_SIZE },
  compression_level: { doc: 'gzip level of requests (0 disables)', format: compressionLevel, default: 1 },
  max_retries: { doc: 'Retries of an event before it is dropped (< 0: forever)', format: 'integer', default: 3 },
  backoff: {
    init: { doc: 'Wait before reconnecting after a failure', format: 'duration', default: '1s' },
    max: { doc: 'Longest wait between retries', format: 'duration', default: '60s' },
  },
  timeout: { doc: 'HTTP request timeout', format: 'duration', default: '90s' },
  loadbalance: { doc: 'Spread batches over all hosts', format: 'bool', default: true },
  non_indexable_policy: {
    doc: 'Events refused for good (mapping errors): `drop: ~` (default) or `dead_letter_index.index: <name>`',
    format: 'map',
    default: {},
  },
};

export interface ResolvedTls {
  readonly ca?: string[];
  readonly cert?: string;
  readonly key?: string;
  readonly passphrase?: string;
  readonly verificationMode: VerificationMode;
}

/** Settings after defaults and validation. */
export interface ResolvedElasticsearchConfig {
  /** One URL per host, with the path prefix (`http://localhost:9200/`). */
  readonly urls: readonly URL[];
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Already in the form sent after `ApiKey ` (base64 of `id:key`). */
  readonly apiKey: string | undefined;
  readonly headers: Record<string, string>;
  readonly parameters: Record<string, string>;
  readonly tls: ResolvedTls | undefined;
  readonly index: string;
  readonly indices: readonly ElasticsearchRuleConfig[];
  readonly pipeline: string;
  readonly pipelines: readonly ElasticsearchRuleConfig[];
  /** `non_indexable_policy.dead_letter_index.index`: where refused events go instead of being dropped. */
  readonly deadLetterIndex: string | undefined;
  readonly worker: number;
  readonly bulkMaxSize: number;
  readonly compression: boolean;
  readonly maxRetries: number;
  readonly backoffInitMs: number;
  readonly backoffMaxMs: number;
  readonly timeoutMs: number;
  readonly loadbalance: boolean;
}

export function invalid(key: string, message: string): BeatError {
  return new BeatError(ErrorCodes.CONFIG_INVALID, `output.elasticsearch.${key}: ${message}`, { key: `output.elasticsearch.${key}` });
}

function durationMs(key: string, v: string | number | undefined, def: number): number {
  if (v === undefined || v === '') return def;
  const ms = parseDuration(v);
  if (ms === undefined || ms < 0) throw invalid(key, `invalid duration ${JSON.stringify(v)}`);
  return ms;
}

/**
 * Builds the URL of one host as Beats' `MakeURL`: the scheme from the host or
 * `protocol` (default http), port 9200 when none is given, `path` appended.
 */
export function makeHostUrl(host: string, protocol: string, path: string): URL {
  const h = host.trim();
  if (h === '') throw invalid('hosts', 'empty host');
  const proto = protocol === '' ? 'http' : protocol;
  if (proto !== 'http' && proto !== 'https') throw invalid('protocol', `unsupported protocol "${protocol}" (http or https)`);
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(h);
  let url: URL;
  try {
    url = new URL(hasScheme ? h : `${proto}://${h}`);
  } catch {
    throw invalid('hosts', `invalid host "${host}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('hosts', `unsupported scheme in "${host}"`);
  // As Beats, 9200 unless a port is written (even after https://).
  const explicitPort = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(?:\[[^\]]*\]|[^/:]*):\d+/i.test(h);
  if (!explicitPort) url.port = String(ES_DEFAULT_PORT);
  if (path !== '') {
    const prefix = path.startsWith('/') ? path : `/${path}`;
    const base = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
    url.pathname = base + prefix;
  }
  return url;
}

/** `id:key` is encoded as Elasticsearch expects; anything else is taken as already encoded. */
export function encodeApiKey(apiKey: string): string {
  const i = apiKey.indexOf(':');
  return i > 0 ? Buffer.from(apiKey, 'utf8').toString('base64') : apiKey;
}

function readPem(key: string, value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return fs.readFileSync(value, 'utf8');
  } catch (err) {
    throw invalid(key, `cannot read ${value}: ${errorMessage(err)}`);
  }
}

function resolveTls(ssl: ElasticsearchSslConfig | undefined, urls: readonly URL[]): ResolvedTls | undefined {
  if (ssl === undefined || ssl.enabled === false) return undefined;
  const cas = ssl.certificate_authorities ?? [];
  const mode = (ssl.verification_mode === undefined || ssl.verification_mode === '' ? 'full' : ssl.verification_mode) as VerificationMode;
  if (!VERIFICATION_MODES.includes(mode)) throw invalid('ssl.verification_mode', `must be one of ${VERIFICATION_MODES.join(', ')}`);
  const cert = ssl.certificate ?? '';
  const key = ssl.key ?? '';
  if ((cert === '') !== (key === '')) throw invalid('ssl', 'certificate and key must be set together');
  const anyTlsSetting = cas.length > 0 || cert !== '' || mode !== 'full';
  if (!anyTlsSetting && !urls.some((u) => u.protocol === 'https:')) return undefined;
  return {
    ...(cas.length > 0 ? { ca: cas.map((c) => readPem('ssl.certificate_authorities', c)) } : {}),
    ...(cert !== '' ? { cert: readPem('ssl.certificate', cert), key: readPem('ssl.key', key) } : {}),
    ...(ssl.key_passphrase !== undefined && ssl.key_passphrase !== '' ? { passphrase: ssl.key_passphrase } : {}),
    verificationMode: mode,
  };
}

function checkRules(key: string, rules: unknown, field: 'index' | 'pipeline'): readonly ElasticsearchRuleConfig[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw invalid(key, 'must be a list of rules');
  rules.forEach((r: unknown, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw invalid(`${key}.${i}`, 'must be a map');
    const v = (r as Record<string, unknown>)[field];
    if (typeof v !== 'string' || v === '') throw invalid(`${key}.${i}.${field}`, 'must be a non-empty string');
  });
  return rules as ElasticsearchRuleConfig[];
}

/** Applies defaults and validates; throws a `BeatError` naming the bad key. */
export function resolveElasticsearchConfig(config: ElasticsearchOutputConfig, beatName: string): ResolvedElasticsearchConfig {
  const hosts = config.hosts ?? ['localhost:9200'];
  if (hosts.length === 0) throw invalid('hosts', 'at least one host is required');
  const urls = hosts.map((h) => makeHostUrl(h, config.protocol ?? '', config.path ?? ''));
  const username = config.username !== undefined && config.username !== '' ? config.username : undefined;
  const password = config.password !== undefined && config.password !== '' ? config.password : undefined;
  const apiKey = config.api_key !== undefined && config.api_key !== '' ? encodeApiKey(config.api_key) : undefined;
  if (apiKey !== undefined && username !== undefined) throw invalid('api_key', 'cannot be used together with username/password');
  const worker = config.worker ?? 1;
  if (!Number.isInteger(worker) || worker < 1) throw invalid('worker', 'must be a positive integer');
  const level = config.compression_level ?? 1;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw invalid('compression_level', 'must be an integer between 0 and 9');
  const bulk = config.bulk_max_size ?? ES_DEFAULT_BULK_MAX_SIZE;
  const maxRetries = config.max_retries ?? 3;
  if (!Number.isInteger(maxRetries)) throw invalid('max_retries', 'must be an integer');
  const index = config.index !== undefined && config.index !== '' ? config.index : `${beatName}-%{[agent.version]}`;
  return {
    urls,
    username,
    password,
    apiKey,
    headers: { ...(config.headers ?? {}) },
    parameters: { ...(config.parameters ?? {}) },
    tls: resolveTls(config.ssl, urls),
    index,
    indices: checkRules('indices', config.indices, 'index'),
    pipeline: config.pipeline ?? '',
    pipelines: checkRules('pipelines', config.pipelines, 'pipeline'),
    worker,
    bulkMaxSize: bulk > 0 ? bulk : Number.MAX_SAFE_INTEGER,
    compression: level > 0,
    maxRetries,
    backoffInitMs: durationMs('backoff.init', config.backoff?.init, 1000),
    backoffMaxMs: durationMs('backoff.max', config.backoff?.max, 60_000),
    timeoutMs: durationMs('timeout', config.timeout, 90_000),
    loadbalance: config.loadbalance ?? true,
    deadLetterIndex: resolveDeadLetterIndex(config.non_indexable_policy),
  };
}

/** Beats' `non_indexable_policy`: exactly one of `drop` or `dead_letter_index` (with its `index`). */
function resolveDeadLetterIndex(policy: ElasticsearchOutputConfig['non_indexable_policy']): string | undefined {
  if (policy === undefined || policy === null) return undefined;
  const kinds = Object.keys(policy);
  if (kinds.length === 0) return undefined;
  if (kinds.length > 1) throw invalid('non_indexable_policy', `only one policy can be set, found ${kinds.join(', ')}`);
  if (kinds[0] === 'drop') return undefined;
  if (kinds[0] !== 'dead_letter_index') throw invalid('non_indexable_policy', `unknown policy ${String(kinds[0])} (drop or dead_letter_index)`);
  const index = policy.dead_letter_index?.index;
  if (typeof index !== 'string' || index === '') throw invalid('non_indexable_policy.dead_letter_index.index', 'an index name is required');
  return index;
}
