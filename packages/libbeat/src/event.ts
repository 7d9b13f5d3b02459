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
  /**
   * The same JSON as UTF-8 bytes, when the producer made bytes (e.g. in a
   * worker thread, handed over without a copy): outputs that write bytes
   * copy them as they are.
   */
  readonly encodedBytes?: Uint8Array | undefined;
}

/**
 * An event whose fields arrive as their JSON, final (processed elsewhere,
 * e.g. in a worker thread), as text or as UTF-8 bytes. Outputs use it
 * directly; the text is decoded from the bytes, and `fields` parsed, only if
 * something asks (a format string, an index pattern with event fields).
 * Setting `fields` drops the JSON.
 */
export class EncodedEvent implements BeatEvent {
  private parsed: EventFields | undefined;
  private text: string | undefined;
  private bytes: Uint8Array | undefined;

  constructor(
    public timestamp: Date,
    encodedFields: string | Uint8Array,
    public meta?: EventFields,
  ) {
    if (typeof encodedFields === 'string') this.text = encodedFields;
    else this.bytes = encodedFields;
  }

  get encodedFields(): string | undefined {
    if (this.text === undefined && this.bytes !== undefined) {
      this.text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('utf8');
    }
    return this.text;
  }

  get encodedBytes(): Uint8Array | undefined {
    return this.bytes;
  }

  get fields(): EventFields {
    this.parsed ??= JSON.parse(this.encodedFields ?? '{}') as EventFields;
    return this.parsed;
  }

  set fields(fields: EventFields) {
    this.parsed = fields;
    this.text = undefined;
    this.bytes = undefined;
  }
}

export function createEvent(fields: EventFields, timestamp: Date = new Date(), meta?: EventFields): BeatEvent {
  return meta === undefined ? { timestamp, fields } : { timestamp, fields, meta };
}
