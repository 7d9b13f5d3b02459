import { expect } from 'chai';
import { createCondition } from '../../src/conditions/create.js';
import { BeatError, ErrorCodes } from '../../src/errors.js';
import type { BeatEvent, EventFields } from '../../src/event.js';

export function ev(fields: EventFields = {}, meta?: EventFields): BeatEvent {
  const e: BeatEvent = { timestamp: new Date('2024-05-06T07:08:09Z'), fields };
  if (meta !== undefined) e.meta = meta;
  return e;
}

/** Whether the condition built from `config` holds for an event with `fields`. */
export function holds(config: unknown, fields: EventFields, meta?: EventFields): boolean {
  return createCondition(config).check(ev(fields, meta));
}

/** Asserts that building the condition fails with CONDITION_INVALID, mentioning each of `parts`. */
export function expectInvalid(config: unknown, ...parts: string[]): BeatError {
  let caught: unknown;
  try {
    createCondition(config);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a BeatError').to.be.instanceOf(BeatError);
  const err = caught as BeatError;
  expect(err.code).to.equal(ErrorCodes.CONDITION_INVALID);
  for (const part of parts) expect(err.message).to.include(part);
  return err;
}
