/** A JSON-like object: the fields of an event, nested by dots in their names. */
export interface EventFields {
  [key: string]: unknown;
}

/**
 * One event on its way through the pipeline. `fields` is the document without
 * `@timestamp`; `meta` becomes `@metadata` (not indexed by Elasticsearch).
 */
export interface BeatEvent {
  timestamp: Date;
  fields: EventFields;
  meta?: EventFields;
}

export function createEvent(fields: EventFields, timestamp: Date = new Date(), meta?: EventFields): BeatEvent {
  return meta === undefined ? { timestamp, fields } : { timestamp, fields, meta };
}
