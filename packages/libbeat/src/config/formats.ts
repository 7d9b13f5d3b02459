import convict from 'convict';
import { parseByteSize } from './byte-size.js';
import { parseDuration } from './duration.js';

/**
 * Strict value formats for beat settings. convict's own `Boolean` reads any
 * string but "false" as true and its integers turn "abc" into NaN, which would
 * hide typos; these coerce only what YAML or an env var would mean, and leave
 * anything else as written so the error shows the offending value.
 */

const TRUE = new Set(['true', 'yes', 'on', 'y']);
const FALSE = new Set(['false', 'no', 'off', 'n']);

function assert(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

let registered = false;

export function registerBeatFormats(): void {
  if (registered) return;
  registered = true;
  convict.addFormat({
    name: 'bool',
    validate: (v: unknown) => assert(typeof v === 'boolean', 'must be a boolean (true or false)'),
    coerce: (v: string) => (TRUE.has(v.toLowerCase()) ? true : FALSE.has(v.toLowerCase()) ? false : v),
  });
  convict.addFormat({
    name: 'positive-int',
    validate: (v: unknown) => assert(Number.isInteger(v) && (v as number) > 0, 'must be a positive integer'),
    coerce: (v: string) => (/^\d+$/.test(v) ? Number(v) : v),
  });
  convict.addFormat({
    name: 'non-negative-int',
    validate: (v: unknown) => assert(Number.isInteger(v) && (v as number) >= 0, 'must be an integer >= 0'),
    coerce: (v: string) => (/^\d+$/.test(v) ? Number(v) : v),
  });
  convict.addFormat({
    name: 'integer',
    validate: (v: unknown) => assert(Number.isInteger(v), 'must be an integer'),
    coerce: (v: string) => (/^-?\d+$/.test(v) ? Number(v) : v),
  });
  convict.addFormat({
    name: 'tcp-port',
    validate: (v: unknown) => assert(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535, 'must be a port number (0-65535)'),
    coerce: (v: string) => (/^\d+$/.test(v) ? Number(v) : v),
  });
  convict.addFormat({
    name: 'duration',
    validate: (v: unknown) => assert(parseDuration(v) !== undefined, 'must be a duration such as 500ms, 10s, 1m or a number of seconds'),
  });
  convict.addFormat({
    name: 'byte-size',
    validate: (v: unknown) => assert(parseByteSize(v) !== undefined, 'must be a size such as 10GB, 512MiB or a number of bytes'),
    coerce: (v: string) => (/^\d+$/.test(v) ? Number(v) : v),
  });
  convict.addFormat({
    name: 'string',
    validate: (v: unknown) => assert(typeof v === 'string', 'must be a string'),
  });
  convict.addFormat({
    name: 'string-list',
    validate: (v: unknown) => assert(Array.isArray(v) && v.every((s) => typeof s === 'string'), 'must be a list of strings'),
    coerce: (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''),
  });
  convict.addFormat({
    name: 'list',
    validate: (v: unknown) => assert(Array.isArray(v), 'must be a list'),
  });
  convict.addFormat({
    name: 'map',
    validate: (v: unknown) => assert(typeof v === 'object' && v !== null && !Array.isArray(v), 'must be a map of keys to values'),
  });
  convict.addFormat({
    name: 'file-mode',
    // YAML 1.1 reads 0600 as octal already; a quoted "0600" arrives as a string.
    validate: (v: unknown) => assert(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0o777, 'must be a file mode such as 0600'),
    coerce: (v: string) => (/^0?[0-7]{1,3}$/.test(v) ? parseInt(v, 8) : v),
  });
}
