import type { BeatEvent } from '../event.js';
import type { Condition } from '../processors/processor.js';
import { describeCondition } from './describe.js';

/** `or`: at least one sub-condition holds. */
export class OrCondition implements Condition {
  constructor(private readonly conditions: readonly Condition[]) {}

  check(event: BeatEvent): boolean {
    return this.conditions.some((c) => c.check(event));
  }

  toString(): string {
    return this.conditions.map(describeCondition).join(' or ');
  }
}
