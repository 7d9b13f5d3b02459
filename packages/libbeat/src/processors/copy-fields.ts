import type { BeatEvent } from '../event.js';
import { deepClone } from '../common/fields.js';
import { ConfigReader, readFromTo } from './config.js';
import { getEventValue, hasEventValue, putEventValue } from './event-fields.js';
import { FieldMover, type FromTo } from './field-mover.js';
import type { ProcessorFactory } from './processor.js';

/** `copy_fields`: copies `from` to `to` (a deep copy); the target must not exist yet. */
export class CopyFieldsProcessor extends FieldMover {
  readonly name = 'copy_fields';
  protected readonly failurePrefix = 'Failed to copy fields in copy_fields processor';

  protected apply(event: BeatEvent, { from, to }: FromTo): void {
    if (hasEventValue(event, to)) throw new Error(`target field ${to} already exists, drop or rename this field first`);
    if (!hasEventValue(event, from)) {
      if (this.options.ignoreMissing) return;
      throw new Error(`could not fetch value for key: ${from}, Error: key not found`);
    }
    putEventValue(event, to, deepClone(getEventValue(event, from)));
  }
}

export const copyFieldsFactory: ProcessorFactory = {
  name: 'copy_fields',
  create(config, ctx) {
    const r = new ConfigReader('copy_fields', config);
    const options = {
      fields: readFromTo(r),
      ignoreMissing: r.bool('ignore_missing', false),
      failOnError: r.bool('fail_on_error', true),
    };
    return new CopyFieldsProcessor(options, ctx.logger);
  },
};
