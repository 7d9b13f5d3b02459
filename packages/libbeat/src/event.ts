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
  /**
   * `JSON.stringify(fields)`, when the producer already made it (an
   * `EncodedEvent`): outputs write it as it is instead of encoding again.
   */
  readonly encodedFields?: string | undefined;
}

/**
 * An event whose fields arrive as their JSON text, final (processed
 * elsewhere, e.g. in a worker thread). Outputs use the text directly;
 * `fields` is parsed only if something reads it (a format string, an index
 * pattern with event fields). Setting `fields` drops the text.
 */
export class EncodedEvent implements BeatEvent {
  private parsed: EventFields | undefined;
  private text: string | undefined;

  constructor(
    public timestamp: Date,
    encodedFields: string,
    public meta?: EventFields,
  ) {
    this.text = encodedFields;
  }

  get encodedFields(): string | undefined {
    return this.text;
  }

  get fields(): EventFields {
    this.parsed ??= JSON.parse(this.text ?? '{}') as EventFields;
    return this.parsed;
  }

  set fields(fields: EventFields) {
    this.parsed = fields;
    this.text = undefined;
  }
}

export function createEvent(fields: EventFields, timestamp: Date = new Date(), meta?: EventFields): BeatEvent {
  return meta === undefined ? { timestamp, fields } : { timestamp, fields, meta };
}
