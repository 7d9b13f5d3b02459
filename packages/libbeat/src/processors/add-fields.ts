import type { BeatEvent, EventFields } from '../event.js';
import { isPlainObject, putField } from '../common/fields.js';
import { ConfigReader } from './config.js';
import { deepUpdateEvent } from './event-fields.js';
import type { Processor, ProcessorFactory } from './processor.js';

/** Expands dotted keys into nested maps, as Beats' config loader does for `fields`. */
export function expandDottedKeys(value: EventFields): EventFields {
  const out: EventFields = {};
  for (const [key, v] of Object.entries(value)) {
    putField(out, key, expandValue(v));
  }
  return out;
}

function expandValue(v: unknown): unknown {
  if (isPlainObject(v)) return expandDottedKeys(v);
  if (Array.isArray(v)) return v.map(expandValue);
  return v;
}

/** Merges a fixed map into every event (overwriting), a fresh copy each time. */
export class AddFieldsProcessor implements Processor {
  private readonly hasUpdate: boolean;

  constructor(
    readonly name: string,
    private readonly update: EventFields,
  ) {
    this.hasUpdate = Object.keys(update).length > 0;
  }

  run(event: BeatEvent): BeatEvent {
    // deepUpdateEvent copies what it inserts, so the update can be shared.
    if (this.hasUpdate) deepUpdateEvent(event, this.update);
    return event;
  }
}

/**
 * `add_fields`: adds `fields` under `target` (default `fields`; `""` puts
 * them at the root; `@metadata` targets the event metadata).
 */
export const addFieldsFactory: ProcessorFactory = {
  name: 'add_fields',
  create(config) {
    const r = new ConfigReader('add_fields', config);
    r.allowOnly('fields', 'target');
    const fields = r.optObject('fields');
    if (fields === undefined) throw r.error('fields', 'is required');
    const target = r.string('target', 'fields');
    const expanded = expandDottedKeys(fields);
    let update: EventFields = expanded;
    if (target !== '') {
      update = {};
      putField(update, target, expanded);
    }
    return new AddFieldsProcessor('add_fields', update);
  },
};
