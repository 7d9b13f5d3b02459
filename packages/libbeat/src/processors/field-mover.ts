import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { errorMessage } from '../errors.js';
import { appendErrorMessage } from './error-message.js';
import { backupEvent } from './event-backup.js';
import type { Processor } from './processor.js';

export interface FromTo {
  readonly from: string;
  readonly to: string;
}

export interface MoverOptions {
  readonly fields: readonly FromTo[];
  readonly ignoreMissing: boolean;
  readonly failOnError: boolean;
}

/**
 * The shared shape of `rename` and `copy_fields`: apply each from/to pair;
 * on a failure with `fail_on_error` the event is rolled back and the error
 * recorded in `error.message`, otherwise the pair is skipped.
 */
export abstract class FieldMover implements Processor {
  abstract readonly name: string;
  protected abstract readonly failurePrefix: string;

  constructor(
    protected readonly options: MoverOptions,
    private readonly logger: Logger,
  ) {}

  /** Applies one pair; throws an Error describing a failure. */
  protected abstract apply(event: BeatEvent, pair: FromTo): void;

  run(event: BeatEvent): BeatEvent {
    const backup = this.options.failOnError ? backupEvent(event) : undefined;
    for (const pair of this.options.fields) {
      try {
        this.apply(event, pair);
      } catch (err) {
        const message = `${this.failurePrefix}: ${errorMessage(err)}`;
        this.logger.debug(message);
        if (backup !== undefined) {
          backup.restore();
          appendErrorMessage(event, message);
          return event;
        }
      }
    }
    return event;
  }
}
