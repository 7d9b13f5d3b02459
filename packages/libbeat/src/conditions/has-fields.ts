import type { BeatEvent } from '../event.js';
import type { Condition } from '../processors/processor.js';
import { hasEventValue } from '../processors/event-fields.js';
import { conditionError } from './condition-error.js';

/** `has_fields`: every listed field exists (whatever its value). */
export class HasFieldsCondition implements Condition {
  private readonly fields: string[];

  constructor(config: unknown, path = 'has_fields') {
    const list = typeof config === 'string' ? [config] : config;
    if (!Array.isArray(list) || list.length === 0 || !list.every((f): f is string => typeof f === 'string')) {
      throw conditionError(path, 'expected a non-empty list of field names');
    }
    this.fields = list;
  }

  check(event: BeatEvent): boolean {
    return this.fields.every((f) => hasEventValue(event, f));
  }

  toString(): string {
    return `has_fields: [${this.fields.join(', ')}]`;
  }
}
