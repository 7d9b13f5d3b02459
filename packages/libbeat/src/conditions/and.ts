import type { BeatEvent } from '../event.js';
import type { Condition } from '../processors/processor.js';
import { describeCondition } from './describe.js';

/** `and`: all sub-conditions hold. */
export class AndCondition implements Condition {
  constructor(private readonly conditions: readonly Condition[]) {}

  check(event: BeatEvent): boolean {
    return this.conditions.every((c) => c.check(event));
  }

  toString(): string {
    return this.conditions.map(describeCondition).join(' and ');
  }
}
