import type { Condition } from '../processors/processor.js';

/** A condition's own description (its toString), for logs and compound descriptions. */
export function describeCondition(c: Condition): string {
  const described = c as { toString(this: unknown): string };
  return described.toString === Object.prototype.toString ? 'condition' : described.toString();
}
