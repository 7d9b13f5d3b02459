import { createHash } from 'node:crypto';
import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { ConfigReader } from './config.js';
import { appendErrorMessage } from './error-message.js';
import { getEventValue, hasEventValue, putEventValue } from './event-fields.js';
import { errorMessage } from '../errors.js';
import { formatGoScalar } from './go-format.js';
import type { Processor, ProcessorFactory } from './processor.js';

// xxhash is Beats' other method; node:crypto has no xxhash, so it is not offered.
export const FINGERPRINT_METHODS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'] as const;
export const FINGERPRINT_ENCODINGS = ['hex', 'base32', 'base64'] as const;
export type FingerprintMethod = (typeof FINGERPRINT_METHODS)[number];
export type FingerprintEncoding = (typeof FINGERPRINT_ENCODINGS)[number];

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with padding (Go's base32.StdEncoding). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function encode(digest: Buffer, encoding: FingerprintEncoding): string {
  if (encoding === 'base32') return base32Encode(digest);
  return digest.toString(encoding);
}

/**
 * `fingerprint`: hashes the listed fields (sorted, de-duplicated) as
 * `|field|value` for each, then `|`, with values rendered as Go's `%v`
 * and times in UTC, so fingerprints equal those Beats computes.
 */
export class FingerprintProcessor implements Processor {
  readonly name = 'fingerprint';

  constructor(
    private readonly fields: readonly string[],
    private readonly method: FingerprintMethod,
    private readonly encoding: FingerprintEncoding,
    private readonly targetField: string,
    private readonly ignoreMissing: boolean,
    private readonly logger: Logger,
  ) {}

  run(event: BeatEvent): BeatEvent {
    try {
      const hash = createHash(this.method);
      for (const field of this.fields) {
        if (!hasEventValue(event, field)) {
          if (this.ignoreMissing) continue;
          throw new Error(`failed to find field [${field}] in event: key not found`);
        }
        const text = formatGoScalar(getEventValue(event, field));
        if (text === undefined) throw new Error(`cannot compute fingerprint using non-scalar field [${field}]`);
        hash.update(`|${field}|${text}`);
      }
      hash.update('|');
      putEventValue(event, this.targetField, encode(hash.digest(), this.encoding));
    } catch (err) {
      // Beats drops the event here; keeping it with error.message loses nothing.
      const message = `failed to compute fingerprint: ${errorMessage(err)}`;
      this.logger.debug(message);
      appendErrorMessage(event, message);
    }
    return event;
  }
}

export const fingerprintFactory: ProcessorFactory = {
  name: 'fingerprint',
  create(config, ctx) {
    const r = new ConfigReader('fingerprint', config);
    const fields = [...new Set(r.stringList('fields', true))].sort();
    if (fields.length === 0) throw r.error('fields', 'must not be empty');
    if (r.bool('use_xxhash', false) || r.optString('method')?.toLowerCase() === 'xxhash') {
      throw r.error('method', 'xxhash is not supported by this implementation (use md5, sha1, sha256, sha384 or sha512)');
    }
    return new FingerprintProcessor(
      fields,
      r.choice('method', FINGERPRINT_METHODS, 'sha256'),
      r.choice('encoding', FINGERPRINT_ENCODINGS, 'hex'),
      r.string('target_field', 'fingerprint'),
      r.bool('ignore_missing', false),
      ctx.logger,
    );
  },
};
