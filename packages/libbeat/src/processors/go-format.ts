import { isPlainObject } from '../common/fields.js';

/**
 * Renders values the way Go's fmt `%v` does for the types Beats events
 * hold, so hashes and string conversions match Beats byte for byte:
 * integers in decimal, other floats in Go's shortest `%g` form (exponent
 * form when the exponent is < -4 or >= 6, so 1234567.5 is `1.2345675e+06`),
 * times as Go's Time.String in UTC.
 */

export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return BigInt(v).toString();
  // toExponential() without digits gives the shortest round-trip mantissa, like Go.
  const [mantissa = '0', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(v);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Go's Time.String() of a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function formatGoTime(d: Date): string {
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  return `${base}${frac} +0000 UTC`;
}

/** `%v` of a scalar; returns undefined for maps and lists, which callers treat as non-scalar. */
export function formatGoScalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatGoFloat(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return '<nil>';
  if (value instanceof Date) return formatGoTime(value);
  if (value instanceof Uint8Array) return `[${Array.from(value).join(' ')}]`;
  if (Array.isArray(value) || isPlainObject(value)) return undefined;
  // Other objects (class instances, symbols) describe themselves.
  const text: unknown = (value as { toString?: () => unknown }).toString?.();
  return typeof text === 'string' ? text : '';
}
