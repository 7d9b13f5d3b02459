import type { BeatEvent } from '../event.js';
import { deepClone } from '../common/fields.js';

/**
 * A copy of an event's state, taken before a processor with
 * `fail_on_error: true` changes it, so a failure can roll the event back
 * (Beats clones the event for the same purpose).
 */
export interface EventBackup {
  restore(): void;
}

export function backupEvent(event: BeatEvent): EventBackup {
  const timestamp = event.timestamp;
  const fields = deepClone(event.fields);
  const meta = event.meta === undefined ? undefined : deepClone(event.meta);
  return {
    restore(): void {
      event.timestamp = timestamp;
      event.fields = fields;
      if (meta === undefined) delete event.meta;
      else event.meta = meta;
    },
  };
}
