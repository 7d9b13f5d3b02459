import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { errorMessage } from '../errors.js';
import { addTagsWithKey } from './add-tags.js';
import { ConfigReader } from './config.js';
import { appendErrorMessage } from './error-message.js';
import { backupEvent } from './event-backup.js';
import { getEventValue, hasEventValue, putEventValue } from './event-fields.js';
import type { Processor, ProcessorFactory } from './processor.js';

export type TruncateLimit = { readonly maxBytes: number } | { readonly maxCharacters: number };

/** Cuts a string to at most `max` UTF-8 bytes, never inside a character. */
function truncateStringBytes(value: string, max: number): string | undefined {
  if (Buffer.byteLength(value, 'utf8') <= max) return undefined;
  const bytes = Buffer.from(value, 'utf8');
  let end = max;
  // Step back over continuation bytes (10xxxxxx) to a character start.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** Cuts a string to at most `max` characters (code points, as Go's runes). */
function truncateStringChars(value: string, max: number): string | undefined {
  if (value.length <= max) return undefined;
  const chars = Array.from(value);
  return chars.length <= max ? undefined : chars.slice(0, max).join('');
}

/** Cuts UTF-8 bytes to at most `max` characters (counting character start bytes). */
function truncateBytesChars(value: Uint8Array, max: number): Uint8Array | undefined {
  let starts = 0;
  for (let i = 0; i < value.length; i++) {
    if (((value[i] ?? 0) & 0xc0) !== 0x80 && ++starts > max) return value.slice(0, i);
  }
  return undefined;
}

/**
 * `truncate_fields`: shortens string (or byte) fields to `max_bytes` or
 * `max_characters`, and flags the event with `log.flags: [truncated]`.
 */
export class TruncateFieldsProcessor implements Processor {
  readonly name = 'truncate_fields';

  constructor(
    private readonly fields: readonly string[],
    private readonly limit: TruncateLimit,
    private readonly ignoreMissing: boolean,
    private readonly failOnError: boolean,
    private readonly logger: Logger,
  ) {}

  run(event: BeatEvent): BeatEvent {
    const backup = this.failOnError ? backupEvent(event) : undefined;
    for (const field of this.fields) {
      try {
        this.truncate(event, field);
      } catch (err) {
        const message = `Failed to truncate fields: ${errorMessage(err)}`;
        this.logger.debug(message);
        if (backup !== undefined) {
          backup.restore();
          appendErrorMessage(event, message);
          return event;
        }
      }
    }
    return event;
  }

  private truncate(event: BeatEvent, field: string): void {
    if (!hasEventValue(event, field)) {
      if (this.ignoreMissing) return;
      throw new Error(`could not fetch value for key: ${field}: key not found`);
    }
    const value = getEventValue(event, field);
    let truncated: string | Uint8Array | undefined;
    if (typeof value === 'string') {
      truncated =
        'maxBytes' in this.limit ? truncateStringBytes(value, this.limit.maxBytes) : truncateStringChars(value, this.limit.maxCharacters);
    } else if (value instanceof Uint8Array) {
      truncated =
        'maxBytes' in this.limit
          ? value.length > this.limit.maxBytes
            ? value.slice(0, this.limit.maxBytes)
            : undefined
          : truncateBytesChars(value, this.limit.maxCharacters);
    } else {
      throw new Error(`value cannot be truncated: ${JSON.stringify(value)}`);
    }
    if (truncated === undefined) return;
    putEventValue(event, field, truncated);
    const problem = addTagsWithKey(event.fields, 'log.flags', ['truncated']);
    if (problem !== undefined) throw new Error(problem);
  }
}

export const truncateFieldsFactory: ProcessorFactory = {
  name: 'truncate_fields',
  create(config, ctx) {
    const r = new ConfigReader('truncate_fields', config);
    const fields = r.stringList('fields', true);
    const maxBytes = r.optInt('max_bytes', 1);
    const maxCharacters = r.optInt('max_characters', 1);
    if (maxBytes !== undefined && maxCharacters !== undefined) {
      throw r.error('max_bytes', 'max_bytes and max_characters are mutually exclusive');
    }
    let limit: TruncateLimit;
    if (maxBytes !== undefined) limit = { maxBytes };
    else if (maxCharacters !== undefined) limit = { maxCharacters };
    else throw r.error('max_bytes', 'one of max_bytes or max_characters is required');
    return new TruncateFieldsProcessor(fields, limit, r.bool('ignore_missing', false), r.bool('fail_on_error', true), ctx.logger);
  },
};
