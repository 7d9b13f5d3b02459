import type { BeatEvent, EventFields } from '../event.js';
import { getField, hasField, putField } from '../common/fields.js';
import { ConfigReader } from './config.js';
import { METADATA_KEY, TIMESTAMP_KEY } from './event-fields.js';
import { MANDATORY_FIELDS } from './mandatory-fields.js';
import type { Processor, ProcessorFactory } from './processor.js';

/**
 * `include_fields`: keeps only the listed fields (plus `type`); the
 * timestamp and `@metadata` are not fields and always stay.
 */
export class IncludeFieldsProcessor implements Processor {
  readonly name = 'include_fields';

  constructor(private readonly fields: readonly string[]) {}

  run(event: BeatEvent): BeatEvent {
    const kept: EventFields = {};
    for (const field of this.fields) {
      if (hasField(event.fields, field)) putField(kept, field, getField(event.fields, field));
    }
    event.fields = kept;
    return event;
  }
}

export const includeFieldsFactory: ProcessorFactory = {
  name: 'include_fields',
  create(config) {
    const r = new ConfigReader('include_fields', config);
    r.allowOnly('fields');
    const listed = r.stringList('fields', true);
    const fields = [...listed, ...MANDATORY_FIELDS.filter((f) => !listed.includes(f))].filter(
      (f) => f !== TIMESTAMP_KEY && f !== METADATA_KEY && !f.startsWith(`${METADATA_KEY}.`),
    );
    return new IncludeFieldsProcessor(fields);
  },
};
