import { BeatError, ErrorCodes } from '../errors.js';

/** A config error in a condition, naming the key at fault (e.g. `and.1.range.x.gte`). */
export function conditionError(path: string, message: string): BeatError {
  const where = path === '' ? '' : ` at ${path}`;
  return new BeatError(ErrorCodes.CONDITION_INVALID, `invalid condition${where}: ${message}`, path === '' ? {} : { key: path });
}
