import type { BeatEvent } from '../event.js';
import type { Condition } from '../processors/processor.js';
import { describeCondition } from './describe.js';

/** `not`: the sub-condition does not hold. */
export class NotCondition implements Condition {
  constructor(private readonly inner: Condition) {}

  check(event: BeatEvent): boolean {
    return !this.inner.check(event);
  }

  toString(): string {
    return `not ${describeCondition(this.inner)}`;
  }
}
