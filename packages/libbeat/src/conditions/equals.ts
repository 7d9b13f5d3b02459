import type { BeatEvent } from '../event.js';
import type { Condition } from '../processors/processor.js';
import { getEventValue } from '../processors/event-fields.js';
import { conditionError } from './condition-error.js';
import { readFieldMap } from './field-map.js';

type Expected = string | number | boolean;

// Beats compares ints with ints, strings with strings, bools with bools: no coercion.
function matches(expected: Expected, actual: unknown): boolean {
  if (typeof expected === 'number') {
    if (typeof actual === 'bigint') return BigInt(expected) === actual;
    return typeof actual === 'number' && Number.isInteger(actual) && actual === expected;
  }
  return typeof actual === typeof expected && actual === expected;
}

/** `equals`: every listed field has exactly the given string, integer or boolean value. */
export class EqualsCondition implements Condition {
  private readonly fields: [string, Expected][];

  constructor(config: unknown, path = 'equals') {
    this.fields = readFieldMap(config, path).map(([field, value]) => {
      const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value));
      if (!ok) {
        throw conditionError(`${path}.${field}`, `value ${JSON.stringify(value)} is not allowed, only strings, integers and booleans are`);
      }
      return [field, value];
    });
  }

  check(event: BeatEvent): boolean {
    return this.fields.every(([field, expected]) => matches(expected, getEventValue(event, field)));
  }

  toString(): string {
    return `equals: ${JSON.stringify(Object.fromEntries(this.fields))}`;
  }
}
