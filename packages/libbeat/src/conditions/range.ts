import type { BeatEvent } from '../event.js';
import type { Condition } from '../processors/processor.js';
import { getEventValue } from '../processors/event-fields.js';
import { conditionError } from './condition-error.js';
import { readFieldMap } from './field-map.js';
import { parseGoFloat } from './go-float.js';

const OPERATORS = ['lt', 'lte', 'gt', 'gte'] as const;
type Operator = (typeof OPERATORS)[number];
type Bounds = Partial<Record<Operator, number>>;

function isOperator(op: string): op is Operator {
  return (OPERATORS as readonly string[]).includes(op);
}

/**
 * `range`: keys are `field.op` (`http.response.code.gte: 400`); every field
 * must be numeric and within all its bounds. Non-numeric values (including
 * numeric strings) never match, as in Beats.
 */
export class RangeCondition implements Condition {
  private readonly ranges = new Map<string, Bounds>();

  constructor(config: unknown, path = 'range') {
    for (const [key, value] of readFieldMap(config, path)) {
      const dot = key.lastIndexOf('.');
      const op = key.slice(dot + 1);
      if (dot <= 0 || !isOperator(op)) {
        throw conditionError(`${path}.${key}`, `expected <field>.<op> with op one of ${OPERATORS.join(', ')}`);
      }
      // Beats' ExtractFloat takes numbers and numeric strings for the bounds.
      const bound = typeof value === 'number' ? value : typeof value === 'string' ? parseGoFloat(value) : undefined;
      if (bound === undefined || Number.isNaN(bound)) {
        throw conditionError(`${path}.${key}`, `value ${JSON.stringify(value)} is not a number`);
      }
      const field = key.slice(0, dot);
      const bounds = this.ranges.get(field) ?? {};
      bounds[op] = bound;
      this.ranges.set(field, bounds);
    }
  }

  check(event: BeatEvent): boolean {
    for (const [field, b] of this.ranges) {
      const raw = getEventValue(event, field);
      const value = typeof raw === 'bigint' ? Number(raw) : raw;
      if (typeof value !== 'number') return false;
      if (b.gte !== undefined && value < b.gte) return false;
      if (b.gt !== undefined && value <= b.gt) return false;
      if (b.lte !== undefined && value > b.lte) return false;
      if (b.lt !== undefined && value >= b.lt) return false;
    }
    return true;
  }

  toString(): string {
    return `range: ${JSON.stringify(Object.fromEntries(this.ranges))}`;
  }
}
