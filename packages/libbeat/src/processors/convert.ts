import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { deepClone, isPlainObject } from '../common/fields.js';
import { errorMessage } from '../errors.js';
import { parseGoFloat } from '../conditions/go-float.js';
import { parseIP } from '../conditions/ip.js';
import { ConfigReader } from './config.js';
import { appendErrorMessage } from './error-message.js';
import { backupEvent } from './event-backup.js';
import { deleteEventValue, getEventValue, hasEventValue, putEventValue } from './event-fields.js';
import { formatGoScalar } from './go-format.js';
import type { Processor, ProcessorFactory } from './processor.js';

export const CONVERT_TYPES = ['integer', 'long', 'float', 'double', 'string', 'boolean', 'ip'] as const;
export type ConvertType = (typeof CONVERT_TYPES)[number];

export interface Conversion {
  readonly from: string;
  readonly to?: string;
  readonly type?: ConvertType;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt for base 10, or base 16 with a 0x prefix, checked against the bit size. */
function parseGoInt(text: string, bits: 32 | 64): number {
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(text);
  let big: bigint;
  if (hex !== null) {
    big = BigInt(`0x${hex[2] ?? ''}`) * (hex[1] === '-' ? -1n : 1n);
  } else if (/^[+-]?\d+$/.test(text)) {
    big = BigInt(text);
  } else {
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  const [min, max] = bits === 32 ? [BigInt(INT32_MIN), BigInt(INT32_MAX)] : [INT64_MIN, INT64_MAX];
  if (big < min || big > max) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`);
  return Number(big);
}

/**
 * A float32 value as the shortest decimal that rounds to it, so 1.1 stays
 * 1.1 (as Go prints a float32) rather than 1.100000023841858.
 */
function toFloat32(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f) || f === 0) return f;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'object';
  return typeof value;
}

function parseGoBool(text: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
}

/** Converts one value as Beats' convert processor does; throws on impossible conversions. */
export function convertValue(type: ConvertType, value: unknown): unknown {
  switch (type) {
    case 'string': {
      if (value === null || value === undefined) throw new Error('invalid conversion of [null] to string');
      return formatGoScalar(value) ?? JSON.stringify(value);
    }
    case 'integer':
    case 'long': {
      const bits = type === 'integer' ? 32 : 64;
      if (typeof value === 'string') return parseGoInt(value, bits);
      if (typeof value === 'bigint') return Number(bits === 32 ? BigInt.asIntN(32, value) : BigInt.asIntN(64, value));
      if (typeof value === 'number' && Number.isFinite(value)) {
        // Go truncates floats toward zero; int32 conversion of wider ints wraps.
        const n = Math.trunc(value);
        return bits === 32 ? n | 0 : n;
      }
      throw new Error(`invalid conversion of [${typeName(value)}] to ${type}`);
    }
    case 'float':
    case 'double': {
      let n: number | undefined;
      if (typeof value === 'string') {
        n = parseGoFloat(value);
        if (n === undefined) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(value)}: invalid syntax`);
      } else if (typeof value === 'number') {
        n = value;
      } else if (typeof value === 'bigint') {
        n = Number(value);
      } else {
        throw new Error(`invalid conversion of [${typeName(value)}] to ${type}`);
      }
      if (type === 'double') return n;
      const f = toFloat32(n);
      if (typeof value === 'string' && Number.isFinite(n) && !Number.isFinite(f)) {
        throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(value)}: value out of range`);
      }
      return f;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') return parseGoBool(value);
      throw new Error(`invalid conversion of [${typeName(value)}] to boolean`);
    }
    case 'ip': {
      if (typeof value !== 'string') throw new Error(`invalid conversion of [${typeName(value)}] to IP`);
      if (parseIP(value) === null) throw new Error('value is not a valid IP address');
      return value;
    }
  }
}

const SKIP = Symbol('skip');

/**
 * `convert`: converts field types, in place or into `to` (copy or rename
 * mode). Conversions are computed first and written together, so a failure
 * with `fail_on_error` leaves the event untouched apart from `error.message`.
 */
export class ConvertProcessor implements Processor {
  readonly name = 'convert';

  constructor(
    private readonly fields: readonly Conversion[],
    private readonly ignoreMissing: boolean,
    private readonly failOnError: boolean,
    private readonly mode: 'copy' | 'rename',
    private readonly tag: string,
    private readonly logger: Logger,
  ) {}

  private describe(c: Conversion): string {
    const tag = this.tag === '' ? '' : ` with instance_id=${this.tag}`;
    const to = c.to === undefined ? '' : ` with target field [${c.to}]`;
    return `failed in processor.convert${tag}: conversion of field [${c.from}] to type [${c.type ?? '[unset]'}]${to} failed`;
  }

  private fail(event: BeatEvent, message: string): BeatEvent {
    this.logger.debug(message);
    appendErrorMessage(event, message);
    return event;
  }

  run(event: BeatEvent): BeatEvent {
    const converted: unknown[] = [];
    for (const c of this.fields) {
      let value: unknown = SKIP;
      if (!hasEventValue(event, c.from)) {
        if (!this.ignoreMissing && this.failOnError) return this.fail(event, `${this.describe(c)}: field [${c.from}] is missing`);
      } else {
        const raw = getEventValue(event, c.from);
        try {
          value = c.type === undefined ? raw : convertValue(c.type, raw);
        } catch (err) {
          if (this.failOnError) {
            return this.fail(event, `${this.describe(c)}: unable to convert value [${formatGoScalar(raw) ?? JSON.stringify(raw)}]: ${errorMessage(err)}`);
          }
          this.logger.debug(`${this.describe(c)}: ${errorMessage(err)}`);
        }
      }
      converted.push(value);
    }

    const backup = this.failOnError && this.fields.length > 1 ? backupEvent(event) : undefined;
    for (const [i, c] of this.fields.entries()) {
      const value = converted[i];
      if (value === SKIP) continue;
      try {
        if (c.to === undefined || c.to === '') {
          putEventValue(event, c.from, value);
        } else if (this.mode === 'rename') {
          putEventValue(event, c.to, value);
          deleteEventValue(event, c.from);
        } else {
          putEventValue(event, c.to, deepClone(value));
        }
      } catch (err) {
        if (!this.failOnError) continue;
        backup?.restore();
        return this.fail(event, `${this.describe(c)}: failed to put field [${c.to ?? c.from}]: ${errorMessage(err)}`);
      }
    }
    return event;
  }
}

export const convertFactory: ProcessorFactory = {
  name: 'convert',
  create(config, ctx) {
    const r = new ConfigReader('convert', config);
    const entries = r.objectList('fields', true);
    if (entries.length === 0) throw r.error('fields', 'must not be empty');
    const fields = entries.map((entry, i): Conversion => {
      const item = new ConfigReader('convert', entry);
      const from = item.optString('from');
      if (from === undefined || from === '') throw r.error(`fields.${i}.from`, 'is required');
      const to = item.optString('to');
      let type: ConvertType | undefined;
      const rawType = item.optString('type');
      if (rawType !== undefined) {
        const lower = rawType.toLowerCase();
        type = CONVERT_TYPES.find((t) => t === lower);
        if (type === undefined) throw r.error(`fields.${i}.type`, `invalid data type "${rawType}" (expected one of ${CONVERT_TYPES.join(', ')})`);
      }
      if ((to === undefined || to === '') && type === undefined) throw r.error(`fields.${i}`, "each field must have a 'to' or a 'type'");
      return { from, ...(to === undefined || to === '' ? {} : { to }), ...(type === undefined ? {} : { type }) };
    });
    return new ConvertProcessor(
      fields,
      r.bool('ignore_missing', false),
      r.bool('fail_on_error', true),
      r.choice('mode', ['copy', 'rename'] as const, 'copy'),
      r.string('tag', ''),
      ctx.logger,
    );
  },
};
