import { getField, isPlainObject } from '../common/fields.js';
import { BeatError, ErrorCodes } from '../errors.js';

/** A config error naming the processor and the key at fault. */
export function processorError(processor: string, key: string, message: string): BeatError {
  return new BeatError(ErrorCodes.PROCESSOR_INVALID, `${processor}: ${key === '' ? '' : `${key}: `}${message}`, { key });
}

/**
 * Typed reads of a processor's config, validating as Beats' config unpacking
 * does (including its lenient string forms of booleans and numbers, which
 * environment-variable expansion produces). Keys may be dotted
 * (`netinfo.enabled`) or nested.
 */
export class ConfigReader {
  constructor(
    readonly processor: string,
    readonly config: Record<string, unknown>,
  ) {}

  error(key: string, message: string): BeatError {
    return processorError(this.processor, key, message);
  }

  /** Rejects keys not in `allowed` (compared on their first path segment), as Beats' checks.AllowedFields. */
  allowOnly(...allowed: string[]): void {
    for (const key of Object.keys(this.config)) {
      const head = key.split('.')[0] ?? key;
      if (!allowed.includes(key) && !allowed.includes(head)) {
        throw this.error(key, `unexpected option (allowed: ${[...allowed, 'when'].join(', ')})`);
      }
    }
  }

  raw(key: string): unknown {
    const value = getField(this.config, key);
    return value === null ? undefined : value;
  }

  bool(key: string, def: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return def;
    if (typeof value === 'boolean') return value;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw this.error(key, `expected a boolean, got ${JSON.stringify(value)}`);
  }

  optString(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.error(key, `expected a string, got ${JSON.stringify(value)}`);
  }

  string(key: string, def: string): string {
    return this.optString(key) ?? def;
  }

  /** One of `choices`, case-insensitive (as Beats' enum-like options), returned lower-cased. */
  choice<T extends string>(key: string, choices: readonly T[], def: T): T {
    const value = this.optString(key);
    if (value === undefined) return def;
    const lower = value.toLowerCase();
    const found = choices.find((c) => c === lower);
    if (found === undefined) throw this.error(key, `invalid value "${value}" (expected one of ${choices.join(', ')})`);
    return found;
  }

  optInt(key: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const n = typeof value === 'string' && /^[+-]?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw this.error(key, `expected an integer, got ${JSON.stringify(value)}`);
    if (n < min || n > max) throw this.error(key, `${n} is out of range [${min}, ${max}]`);
    return n;
  }

  /** A list of strings; a single string counts as a one-element list, as in Beats. */
  stringList(key: string, required: boolean): string[] {
    const value = this.raw(key);
    if (value === undefined) {
      if (required) throw this.error(key, 'is required');
      return [];
    }
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list)) throw this.error(key, `expected a list of strings, got ${JSON.stringify(value)}`);
    return list.map((item, i) => {
      if (typeof item === 'string') return item;
      if (typeof item === 'number' || typeof item === 'boolean') return String(item);
      throw this.error(`${key}.${i}`, `expected a string, got ${JSON.stringify(item)}`);
    });
  }

  /** A map value; undefined when absent. */
  optObject(key: string): Record<string, unknown> | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) throw this.error(key, `expected a map, got ${JSON.stringify(value)}`);
    return value;
  }

  /** A list of maps (e.g. `fields: [{from, to}]`). */
  objectList(key: string, required: boolean): Record<string, unknown>[] {
    const value = this.raw(key);
    if (value === undefined) {
      if (required) throw this.error(key, 'is required');
      return [];
    }
    if (!Array.isArray(value)) throw this.error(key, `expected a list, got ${JSON.stringify(value)}`);
    return value.map((item, i) => {
      if (!isPlainObject(item)) throw this.error(`${key}.${i}`, `expected a map, got ${JSON.stringify(item)}`);
      return item;
    });
  }
}

/** Reads `fields: [{from, to}]` as used by rename and copy_fields. */
export function readFromTo(reader: ConfigReader): { from: string; to: string }[] {
  const entries = reader.objectList('fields', true);
  if (entries.length === 0) throw reader.error('fields', 'must not be empty');
  return entries.map((entry, i) => {
    const item = new ConfigReader(reader.processor, entry);
    const at = `fields.${i}`;
    const from = item.optString('from');
    const to = item.optString('to');
    if (from === undefined || from === '') throw reader.error(`${at}.from`, 'is required');
    if (to === undefined || to === '') throw reader.error(`${at}.to`, 'is required');
    return { from, to };
  });
}
