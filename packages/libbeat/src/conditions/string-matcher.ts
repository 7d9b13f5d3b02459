import type { BeatEvent } from '../event.js';
import type { Condition } from '../processors/processor.js';
import { getEventValue } from '../processors/event-fields.js';
import { conditionError } from './condition-error.js';
import { readFieldMap } from './field-map.js';

export type StringTest = (value: string) => boolean;

/**
 * Shared logic of `contains` and `regexp` (Beats' Matcher condition): every
 * listed field must match; a string field is tested directly, an array
 * matches if any of its string elements does; other types never match.
 */
export class StringMatcherCondition implements Condition {
  private readonly matchers: [string, StringTest, string][];

  constructor(
    readonly kind: string,
    config: unknown,
    path: string,
    compile: (pattern: string, path: string) => StringTest,
  ) {
    this.matchers = readFieldMap(config, path).map(([field, value]) => {
      if (typeof value !== 'string') {
        throw conditionError(`${path}.${field}`, `value ${JSON.stringify(value)} must be a string`);
      }
      return [field, compile(value, `${path}.${field}`), value];
    });
  }

  check(event: BeatEvent): boolean {
    return this.matchers.every(([field, test]) => {
      const value = getEventValue(event, field);
      if (typeof value === 'string') return test(value);
      if (Array.isArray(value)) return value.some((v) => typeof v === 'string' && test(v));
      return false;
    });
  }

  toString(): string {
    return `${this.kind}: ${JSON.stringify(Object.fromEntries(this.matchers.map(([f, , p]) => [f, p])))}`;
  }
}
