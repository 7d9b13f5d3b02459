import type { BeatEvent } from '../event.js';
import { ConfigReader, readFromTo } from './config.js';
import { deleteEventValue, getEventValue, hasEventValue, putEventValue } from './event-fields.js';
import { FieldMover, type FromTo } from './field-mover.js';
import type { ProcessorFactory } from './processor.js';

/** `rename`: moves `from` to `to`; the target must not exist yet. */
export class RenameProcessor extends FieldMover {
  readonly name = 'rename';
  protected readonly failurePrefix = 'Failed to rename fields in processor';

  protected apply(event: BeatEvent, { from, to }: FromTo): void {
    if (hasEventValue(event, to)) throw new Error(`target field ${to} already exists, drop or rename this field first`);
    if (!hasEventValue(event, from)) {
      if (this.options.ignoreMissing) return;
      throw new Error(`could not fetch value for key: ${from}, Error: key not found`);
    }
    const value = getEventValue(event, from);
    // Delete first so that `a` can become `a.b`.
    deleteEventValue(event, from);
    putEventValue(event, to, value);
  }
}

export const renameFactory: ProcessorFactory = {
  name: 'rename',
  create(config, ctx) {
    const r = new ConfigReader('rename', config);
    const options = {
      fields: readFromTo(r),
      ignoreMissing: r.bool('ignore_missing', false),
      failOnError: r.bool('fail_on_error', true),
    };
    return new RenameProcessor(options, ctx.logger);
  },
};
