import { readFileSync } from 'node:fs';
import type { ConnectionOptions, SecureVersion } from 'node:tls';
import { BeatError, ErrorCodes, errorMessage } from '../../errors.js';

/** `output.logstash.ssl.*`, the subset of Beats' TLS settings a client needs. */
export interface SslConfig {
  /** Default: on when the section sets any certificate, else off. */
  readonly enabled?: boolean | null;
  /** CA certificates: file paths or inline PEM. */
  readonly certificate_authorities?: readonly string[];
  /** Client certificate (path or inline PEM), for mutual TLS. */
  readonly certificate?: string;
  readonly key?: string;
  readonly key_passphrase?: string;
  /** `full` (default), `strict`, `certificate` (no host name check) or `none`. */
  readonly verification_mode?: string;
  /** e.g. `[TLSv1.2, TLSv1.3]` (the default). */
  readonly supported_protocols?: readonly string[];
  /** OpenSSL cipher names. */
  readonly cipher_suites?: readonly string[];
}

export const sslSchema: Record<string, unknown> = {
  enabled: {
    doc: 'Use TLS; by default on when certificates are configured',
    format: (v: unknown): void => {
      if (v !== null && v !== undefined && typeof v !== 'boolean') throw new Error('must be a boolean (true or false)');
    },
    default: null,
  },
  certificate_authorities: { doc: 'CA certificates (paths or PEM) to verify the server', format: 'string-list', default: [] },
  certificate: { doc: 'Client certificate (path or PEM)', format: 'string', default: '' },
  key: { doc: 'Client certificate key (path or PEM)', format: 'string', default: '' },
  key_passphrase: { doc: 'Passphrase of the key', format: 'string', default: '', sensitive: true },
  verification_mode: {
    doc: 'Server certificate verification: full, strict, certificate or none',
    format: ['full', 'strict', 'certificate', 'none'],
    default: 'full',
  },
  supported_protocols: { doc: 'TLS versions, e.g. [TLSv1.2, TLSv1.3]', format: 'string-list', default: [] },
  cipher_suites: { doc: 'Cipher suites (OpenSSL names)', format: 'string-list', default: [] },
};

const VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function pem(value: string, key: string): string | Buffer {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value);
  } catch (err) {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `output.logstash.${key}: cannot read ${value}: ${errorMessage(err)}`, { key: `output.logstash.${key}`, cause: err });
  }
}

function isEnabled(ssl: SslConfig | undefined): boolean {
  if (ssl === undefined) return false;
  if (typeof ssl.enabled === 'boolean') return ssl.enabled;
  return (ssl.certificate_authorities?.length ?? 0) > 0 || (ssl.certificate ?? '') !== '';
}

/**
 * node:tls options for `ssl`, or undefined when TLS is off. Reads the
 * certificate files once; throws a config error naming the bad key.
 */
export function tlsOptions(ssl: SslConfig | undefined): ConnectionOptions | undefined {
  if (ssl === undefined || !isEnabled(ssl)) return undefined;
  const opts: ConnectionOptions = {};
  const cas = ssl.certificate_authorities ?? [];
  if (cas.length > 0) opts.ca = cas.map((c) => pem(c, 'ssl.certificate_authorities'));
  const cert = ssl.certificate ?? '';
  const key = ssl.key ?? '';
  if ((cert === '') !== (key === '')) {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, 'output.logstash.ssl: certificate and key must be set together', { key: 'output.logstash.ssl.certificate' });
  }
  if (cert !== '') {
    opts.cert = pem(cert, 'ssl.certificate');
    opts.key = pem(key, 'ssl.key');
    if ((ssl.key_passphrase ?? '') !== '') opts.passphrase = ssl.key_passphrase;
  }
  const mode = ssl.verification_mode ?? 'full';
  switch (mode) {
    case 'full':
    case 'strict':
      opts.rejectUnauthorized = true;
      break;
    case 'certificate':
      opts.rejectUnauthorized = true;
      opts.checkServerIdentity = () => undefined;
      break;
    case 'none':
      opts.rejectUnauthorized = false;
      break;
    default:
      throw new BeatError(ErrorCodes.CONFIG_INVALID, `output.logstash.ssl.verification_mode: unknown mode "${mode}"`, { key: 'output.logstash.ssl.verification_mode' });
  }
  const protocols = ssl.supported_protocols ?? [];
  if (protocols.length > 0) {
    const idx = protocols.map((p) => {
      const i = VERSIONS.indexOf(p as SecureVersion);
      if (i < 0) {
        throw new BeatError(ErrorCodes.CONFIG_INVALID, `output.logstash.ssl.supported_protocols: unknown protocol "${p}"`, { key: 'output.logstash.ssl.supported_protocols' });
      }
      return i;
    });
    opts.minVersion = VERSIONS[Math.min(...idx)];
    opts.maxVersion = VERSIONS[Math.max(...idx)];
  } else {
    opts.minVersion = 'TLSv1.2';
  }
  const ciphers = ssl.cipher_suites ?? [];
  if (ciphers.length > 0) opts.ciphers = ciphers.join(':');
  return opts;
}
