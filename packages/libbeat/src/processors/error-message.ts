import type { BeatEvent } from '../event.js';
import { getField, putField } from '../common/fields.js';
import { formatGoScalar } from './go-format.js';

const ERROR_MESSAGE = 'error.message';

/**
 * Records a processing failure on the event, as Beats does with
 * `error.message`. An existing message is kept: the field becomes a list
 * (ECS allows arrays), and duplicates are not repeated.
 */
export function appendErrorMessage(event: BeatEvent, message: string): void {
  const existing = getField(event.fields, ERROR_MESSAGE);
  if (existing === undefined || existing === null) {
    putField(event.fields, ERROR_MESSAGE, message);
  } else if (typeof existing === 'string') {
    if (existing !== message) putField(event.fields, ERROR_MESSAGE, [existing, message]);
  } else if (Array.isArray(existing)) {
    if (!existing.includes(message)) existing.push(message);
  } else {
    putField(event.fields, ERROR_MESSAGE, [formatGoScalar(existing) ?? JSON.stringify(existing), message]);
  }
}
