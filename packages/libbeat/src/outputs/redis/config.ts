import * as fs from 'node:fs';
import * as net from 'node:net';
import type { ConnectionOptions, SecureVersion } from 'node:tls';
import { parseDuration } from '../../config/duration.js';
import { BeatError, ErrorCodes, errorMessage } from '../../errors.js';
import { codecSchema, type CodecConfig } from '../codec.js';
import { buildKeySelector, type KeySelector, type RedisKeyRule } from './selector.js';

/**
 * `output.redis` settings, as Beats reads them:
 *
 * - `hosts`: `host`, `host:port`, `[v6]:port`, or `redis://[user][:password]@host[:port][/db]`
 *   (`rediss://` turns TLS on). A password or db in a URL overrides `password`/`db`.
 * - `port` (6379) for hosts written without one; `password`; `db` (0).
 * - `key` (a format string; empty: the beat name) and `keys` (rules
 *   `{key | mappings, default, when}` tried in order before `key`).
 * - `datatype`: `list` (RPUSH) or `channel` (PUBLISH).
 * - `bulk_max_size` (2048), `timeout` (5s), `max_retries` (3, negative:
 *   forever), `backoff.init` (1s) / `backoff.max` (60s), `loadbalance`
 *   (true: `worker` clients per host; false: `worker` clients failing over
 *   between the hosts), `worker` (1), `ssl.*`, `codec.*`.
 */

export type RedisDataType = 'list' | 'channel';

export interface RedisSslConfig {
  /** Default: true when any other ssl setting is given. */
  readonly enabled?: boolean;
  /** File paths or inline PEM. */
  readonly certificate_authorities?: readonly string[];
  /** Client certificate: a file path or inline PEM. */
  readonly certificate?: string;
  /** Client key: a file path or inline PEM. */
  readonly key?: string;
  readonly key_passphrase?: string;
  /** `full` (default), `strict`, `certificate` (no host name check) or `none`. */
  readonly verification_mode?: string;
  /** e.g. `[TLSv1.2, TLSv1.3]`. */
  readonly supported_protocols?: readonly string[];
}

export interface RedisOutputConfig {
  readonly hosts?: readonly string[];
  readonly port?: number;
  readonly password?: string;
  readonly db?: number;
  readonly key?: string;
  readonly keys?: readonly RedisKeyRule[];
  readonly datatype?: string;
  readonly bulk_max_size?: number;
  /** A duration (`5s`) or a number of seconds. */
  readonly timeout?: string | number;
  readonly max_retries?: number;
  readonly backoff?: { readonly init?: string | number; readonly max?: string | number };
  readonly loadbalance?: boolean;
  readonly worker?: number;
  readonly ssl?: RedisSslConfig;
  readonly codec?: CodecConfig;
}

export const REDIS_DEFAULT_PORT = 6379;
export const REDIS_BATCH_SIZE = 2048;
export const REDIS_MAX_RETRIES = 3;

export const redisSchema: Record<string, unknown> = {
  hosts: { doc: 'Redis servers: host[:port] or redis://[:password@]host[:port][/db] (rediss:// for TLS)', format: 'string-list', default: [] },
  port: { doc: 'Port used for hosts given without one', format: 'tcp-port', default: REDIS_DEFAULT_PORT },
  password: { doc: 'Password for AUTH', format: 'string', default: '', sensitive: true },
  db: { doc: 'Database number selected after connecting', format: 'non-negative-int', default: 0 },
  key: { doc: 'List or channel name (format string); empty: the beat name', format: 'string', default: '' },
  keys: { doc: 'Key selection rules: [{key, mappings, default, when}]', format: 'list', default: [] },
  datatype: { doc: 'list (RPUSH) or channel (PUBLISH)', format: ['list', 'channel'], default: 'list' },
  bulk_max_size: { doc: 'Largest number of events sent in one batch', format: 'positive-int', default: REDIS_BATCH_SIZE },
  timeout: { doc: 'Connection and command timeout', format: 'duration', default: '5s' },
  max_retries: { doc: 'Retries of an event before it is dropped; negative: retry forever', format: 'integer', default: REDIS_MAX_RETRIES },
  backoff: {
    init: { doc: 'Wait before retrying after a network error', format: 'duration', default: '1s' },
    max: { doc: 'Longest wait between retries', format: 'duration', default: '60s' },
  },
  loadbalance: { doc: 'Spread batches over all hosts (false: fail over between them)', format: 'bool', default: true },
  worker: { doc: 'Connections per host (or failover clients)', format: 'positive-int', default: 1 },
  ssl: {
    enabled: { doc: 'Use TLS (default: on when other ssl settings are given)', format: '*', default: null, nullable: true },
    certificate_authorities: { doc: 'CA certificates (paths or PEM)', format: 'string-list', default: [] },
    certificate: { doc: 'Client certificate (path or PEM)', format: 'string', default: '' },
    key: { doc: 'Client key (path or PEM)', format: 'string', default: '', sensitive: true },
    key_passphrase: { doc: 'Passphrase of the client key', format: 'string', default: '', sensitive: true },
    verification_mode: { doc: 'full, strict, certificate or none', format: ['full', 'strict', 'certificate', 'none'], default: 'full' },
    supported_protocols: { doc: 'TLS versions, e.g. [TLSv1.2, TLSv1.3]', format: 'string-list', default: [] },
  },
  codec: codecSchema,
};

/** One server to connect to, with everything ioredis needs. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  readonly tls: ConnectionOptions | undefined;
  /** `host:port` (IPv6 in brackets), for logs. */
  readonly label: string;
}

export interface ResolvedRedisConfig {
  readonly endpoints: readonly RedisEndpoint[];
  readonly datatype: RedisDataType;
  readonly selector: KeySelector;
  readonly batchSize: number;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  readonly backoff: { readonly initMs: number; readonly maxMs: number };
  readonly loadbalance: boolean;
  readonly worker: number;
}

export function invalid(key: string, message: string, cause?: unknown): BeatError {
  return new BeatError(ErrorCodes.CONFIG_INVALID, `output.redis.${key}: ${message}`, cause === undefined ? { key: `output.redis.${key}` } : { key: `output.redis.${key}`, cause });
}

function durationMs(key: string, value: unknown, dflt: number): number {
  if (value === undefined || value === null || value === '') return dflt;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0) throw invalid(key, `invalid duration ${JSON.stringify(value)}`);
  return ms;
}

function int(key: string, value: unknown, dflt: number, min: number): number {
  if (value === undefined || value === null) return dflt;
  if (!Number.isInteger(value) || (value as number) < min) throw invalid(key, `must be an integer >= ${min}`);
  return value as number;
}

/** A PEM given inline, or the content of the file it names. */
function pem(key: string, value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return fs.readFileSync(value, 'utf8');
  } catch (err) {
    throw invalid(key, `cannot read ${value}: ${errorMessage(err)}`, err);
  }
}

const TLS_VERSIONS: Record<string, SecureVersion> = {
  'tlsv1.0': 'TLSv1',
  tlsv1: 'TLSv1',
  'tlsv1.1': 'TLSv1.1',
  'tlsv1.2': 'TLSv1.2',
  'tlsv1.3': 'TLSv1.3',
};

function hasSslSettings(ssl: RedisSslConfig): boolean {
  return (
    (ssl.certificate_authorities?.length ?? 0) > 0 ||
    (ssl.certificate ?? '') !== '' ||
    (ssl.key ?? '') !== '' ||
    (ssl.supported_protocols?.length ?? 0) > 0
  );
}

/** ioredis `tls` options from `ssl.*` (undefined: plain TCP), for one host. */
export function buildTlsOptions(ssl: RedisSslConfig | undefined, host: string, forced: boolean): ConnectionOptions | undefined {
  const s = ssl ?? {};
  const enabled = s.enabled ?? (forced || hasSslSettings(s));
  if (!enabled && !forced) return undefined;
  const opts: ConnectionOptions = {};
  if (!net.isIP(host)) opts.servername = host;
  const cas = s.certificate_authorities ?? [];
  if (cas.length > 0) opts.ca = cas.map((c) => pem('ssl.certificate_authorities', c));
  if ((s.certificate ?? '') !== '') opts.cert = pem('ssl.certificate', s.certificate as string);
  if ((s.key ?? '') !== '') opts.key = pem('ssl.key', s.key as string);
  if ((s.key_passphrase ?? '') !== '') opts.passphrase = s.key_passphrase;
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw invalid('ssl', 'certificate and key must be given together');
  const mode = s.verification_mode ?? 'full';
  switch (mode) {
    case 'full':
    case 'strict':
      opts.rejectUnauthorized = true;
      break;
    case 'certificate':
      opts.rejectUnauthorized = true;
      opts.checkServerIdentity = (): undefined => undefined;
      break;
    case 'none':
      opts.rejectUnauthorized = false;
      break;
    default:
      throw invalid('ssl.verification_mode', `unknown mode "${mode}" (full, strict, certificate, none)`);
  }
  const versions = (s.supported_protocols ?? []).map((p) => {
    const v = TLS_VERSIONS[p.toLowerCase()];
    if (v === undefined) throw invalid('ssl.supported_protocols', `unknown TLS version "${p}"`);
    return v;
  });
  if (versions.length > 0) {
    const sorted = [...versions].sort();
    opts.minVersion = sorted[0];
    opts.maxVersion = sorted[sorted.length - 1];
  }
  return opts;
}

/** Parses one `hosts` entry (see the module comment). */
export function parseRedisHost(
  entry: string,
  defaults: { port: number; password: string | undefined; db: number; ssl: RedisSslConfig | undefined },
): RedisEndpoint {
  const text = entry.trim();
  if (text === '') throw invalid('hosts', 'empty host');
  let host: string;
  let port = defaults.port;
  let username: string | undefined;
  let password = defaults.password;
  let db = defaults.db;
  let tlsForced = false;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme !== null) {
    const proto = (scheme[1] as string).toLowerCase();
    if (proto !== 'redis' && proto !== 'rediss') throw invalid('hosts', `unsupported scheme "${proto}" in ${text} (redis or rediss)`);
    tlsForced = proto === 'rediss';
    let url: URL;
    try {
      url = new URL(text);
    } catch (err) {
      throw invalid('hosts', `invalid URL ${text}`, err);
    }
    host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (url.port !== '') port = Number(url.port);
    if (url.username !== '') username = decodeURIComponent(url.username);
    if (url.password !== '') password = decodeURIComponent(url.password);
    const dbPath = url.pathname.replace(/^\//, '');
    if (dbPath !== '') {
      if (!/^\d+$/.test(dbPath)) throw invalid('hosts', `invalid database "${dbPath}" in ${text}`);
      db = Number(dbPath);
    }
  } else {
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
    if (v6 !== null) {
      host = v6[1] as string;
      if (v6[2] !== undefined) port = Number(v6[2]);
    } else if (net.isIPv6(text)) {
      host = text;
    } else {
      const m = /^([^:/\s]+)(?::(\d+))?$/.exec(text);
      if (m === null) throw invalid('hosts', `invalid host "${text}" (host, host:port or redis://host:port)`);
      host = m[1] as string;
      if (m[2] !== undefined) port = Number(m[2]);
    }
  }
  if (host === '') throw invalid('hosts', `no host name in ${text}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('hosts', `invalid port in ${text}`);
  const tls = buildTlsOptions(defaults.ssl, host, tlsForced);
  const label = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  return { host, port, username, password: password === '' ? undefined : password, db, tls, label };
}

/** Applies defaults and validates; throws a `BeatError` naming the bad key. */
export function resolveRedisConfig(config: RedisOutputConfig, beatName: string): ResolvedRedisConfig {
  const hosts = config.hosts ?? [];
  if (!Array.isArray(hosts) || hosts.length === 0) throw invalid('hosts', 'at least one host is required');
  const db = int('db', config.db, 0, 0);
  const port = int('port', config.port, REDIS_DEFAULT_PORT, 1);
  const password = config.password === undefined || config.password === '' ? undefined : config.password;
  const endpoints = hosts.map((h) => parseRedisHost(String(h), { port, password, db, ssl: config.ssl }));

  const datatype = (config.datatype ?? 'list').toLowerCase();
  if (datatype !== 'list' && datatype !== 'channel') throw invalid('datatype', `must be list or channel, not "${config.datatype}"`);

  const key = config.key === undefined || config.key === '' ? beatName : config.key;
  let selector: KeySelector;
  try {
    selector = buildKeySelector(key, config.keys ?? []);
  } catch (err) {
    if (err instanceof BeatError && err.key?.startsWith('output.redis.') === true) throw err;
    throw invalid(config.keys !== undefined && config.keys.length > 0 ? 'keys' : 'key', errorMessage(err), err);
  }

  const initMs = durationMs('backoff.init', config.backoff?.init, 1000);
  const maxMs = durationMs('backoff.max', config.backoff?.max, 60_000);
  if (maxMs < initMs) throw invalid('backoff.max', 'must not be less than backoff.init');
  const timeoutMs = durationMs('timeout', config.timeout, 5000);
  if (timeoutMs <= 0) throw invalid('timeout', 'must be positive');
  const maxRetries = config.max_retries ?? REDIS_MAX_RETRIES;
  if (!Number.isInteger(maxRetries)) throw invalid('max_retries', 'must be an integer');

  return {
    endpoints,
    datatype,
    selector,
    batchSize: int('bulk_max_size', config.bulk_max_size, REDIS_BATCH_SIZE, 1),
    maxRetries,
    timeoutMs,
    backoff: { initMs, maxMs },
    loadbalance: config.loadbalance ?? true,
    worker: int('worker', config.worker, 1, 1),
  };
}
