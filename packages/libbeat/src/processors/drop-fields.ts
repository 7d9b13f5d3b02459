import type { BeatEvent, EventFields } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { deleteField, isPlainObject } from '../common/fields.js';
import { ConfigReader } from './config.js';
import { deleteEventValue } from './event-fields.js';
import { MANDATORY_FIELDS } from './mandatory-fields.js';
import type { Processor, ProcessorFactory } from './processor.js';

/** Every dotted key of the fields, intermediate objects included (as Beats' FlattenKeys). */
function allKeys(fields: EventFields, prefix = '', out: string[] = []): string[] {
  for (const [key, value] of Object.entries(fields)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    out.push(name);
    if (isPlainObject(value)) allKeys(value, name, out);
  }
  return out;
}

/**
 * `drop_fields`: removes the listed fields; entries written `/regexp/`
 * remove every field whose dotted name matches. `@timestamp` and `type`
 * are never removed.
 */
export class DropFieldsProcessor implements Processor {
  readonly name = 'drop_fields';

  constructor(
    private readonly fields: readonly string[],
    private readonly patterns: readonly RegExp[],
    private readonly ignoreMissing: boolean,
    private readonly logger: Logger,
  ) {}

  run(event: BeatEvent): BeatEvent {
    const missing: string[] = [];
    for (const field of this.fields) {
      if (!deleteEventValue(event, field) && !this.ignoreMissing) missing.push(field);
    }
    if (this.patterns.length > 0) {
      for (const key of allKeys(event.fields)) {
        if (MANDATORY_FIELDS.includes(key)) continue;
        if (this.patterns.some((re) => re.test(key))) deleteField(event.fields, key);
      }
    }
    // Beats returns this as a processor error, which the pipeline only logs.
    if (missing.length > 0) this.logger.debug(`drop_fields: failed to drop fields [${missing.join(', ')}]: key not found`);
    return event;
  }
}

export const dropFieldsFactory: ProcessorFactory = {
  name: 'drop_fields',
  create(config, ctx) {
    const r = new ConfigReader('drop_fields', config);
    r.allowOnly('fields', 'ignore_missing');
    const entries = r.stringList('fields', true);
    const fields: string[] = [];
    const patterns: RegExp[] = [];
    entries.forEach((entry, i) => {
      if (entry.length > 2 && entry.startsWith('/') && entry.endsWith('/')) {
        try {
          patterns.push(new RegExp(entry.slice(1, -1)));
        } catch (err) {
          throw r.error(`fields.${i}`, `invalid regular expression ${entry}: ${err instanceof Error ? err.message : String(err)}`);
        }
      } else if (!MANDATORY_FIELDS.includes(entry)) {
        fields.push(entry);
      }
    });
    return new DropFieldsProcessor(fields, patterns, r.bool('ignore_missing', false), ctx.logger);
  },
};
