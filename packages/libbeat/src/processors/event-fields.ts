import type { BeatEvent, EventFields } from '../event.js';
import { deepClone, deleteField, getField, hasField, isPlainObject, mergeFields, putField } from '../common/fields.js';

/**
 * Field access on a whole event, as Beats' Event.GetValue/PutValue/Delete:
 * `@timestamp` is `event.timestamp` (not a field), `@metadata` and
 * `@metadata.x` address `event.meta`; anything else is a dotted path in
 * `event.fields`.
 */

export const TIMESTAMP_KEY = '@timestamp';
export const METADATA_KEY = '@metadata';
const METADATA_PREFIX = '@metadata.';

export function getEventValue(event: BeatEvent, path: string): unknown {
  if (path === TIMESTAMP_KEY) return event.timestamp;
  if (path === METADATA_KEY) return event.meta;
  if (path.startsWith(METADATA_PREFIX)) {
    return event.meta === undefined ? undefined : getField(event.meta, path.slice(METADATA_PREFIX.length));
  }
  return getField(event.fields, path);
}

export function hasEventValue(event: BeatEvent, path: string): boolean {
  if (path === TIMESTAMP_KEY) return true;
  if (path === METADATA_KEY) return event.meta !== undefined;
  if (path.startsWith(METADATA_PREFIX)) {
    return event.meta !== undefined && hasField(event.meta, path.slice(METADATA_PREFIX.length));
  }
  return hasField(event.fields, path);
}

/** Sets a value; throws an Error (for the caller to record) if `@timestamp`/`@metadata` get a wrong type. */
export function putEventValue(event: BeatEvent, path: string, value: unknown): void {
  if (path === TIMESTAMP_KEY) {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new Error(`the value of ${TIMESTAMP_KEY} must be a date, not ${typeof value}`);
    }
    event.timestamp = value;
    return;
  }
  if (path === METADATA_KEY) {
    if (!isPlainObject(value)) throw new Error(`the value of ${METADATA_KEY} must be an object`);
    event.meta = value;
    return;
  }
  if (path.startsWith(METADATA_PREFIX)) {
    event.meta ??= {};
    putField(event.meta, path.slice(METADATA_PREFIX.length), value);
    return;
  }
  putField(event.fields, path, value);
}

/** Deletes a value and returns whether it existed; `@timestamp` cannot be deleted (throws). */
export function deleteEventValue(event: BeatEvent, path: string): boolean {
  if (path === TIMESTAMP_KEY) throw new Error(`the field ${TIMESTAMP_KEY} cannot be deleted`);
  if (path === METADATA_KEY) {
    const existed = event.meta !== undefined;
    delete event.meta;
    return existed;
  }
  if (path.startsWith(METADATA_PREFIX)) {
    return event.meta !== undefined && deleteField(event.meta, path.slice(METADATA_PREFIX.length));
  }
  return deleteField(event.fields, path);
}

/**
 * Deep-merges `update` into the event as Beats' Event.DeepUpdate: a
 * top-level `@metadata` object merges into `meta`, a `@timestamp` Date
 * replaces the timestamp, everything else merges into `fields`.
 */
export function deepUpdateEvent(event: BeatEvent, update: EventFields, overwrite = true): void {
  for (const key in update) {
    if (!Object.prototype.hasOwnProperty.call(update, key)) continue;
    const value = update[key];
    if (key === METADATA_KEY && isPlainObject(value)) {
      event.meta ??= {};
      mergeFields(event.meta, value, overwrite);
    } else if (key === TIMESTAMP_KEY && value instanceof Date) {
      if (overwrite) event.timestamp = value;
    } else {
      const existing = event.fields[key];
      if (isPlainObject(existing) && isPlainObject(value)) mergeFields(existing, value, overwrite);
      else if (overwrite || event.fields[key] === undefined) event.fields[key] = deepClone(value);
    }
  }
}
