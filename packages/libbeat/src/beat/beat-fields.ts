import { isPlainObject } from '../common/fields.js';
import type { BeatEvent } from '../event.js';
import type { Processor } from '../processors/processor.js';
import type { BeatInfo } from './info.js';

/** The ECS version our documents follow (Packetbeat 8.x writes 8.0.0). */
export const ECS_VERSION = '8.0.0';

/**
 * Adds what Beats adds to every event: `agent.*`, `ecs.version` and
 * `host.name`, without overwriting values an input already set. The agent
 * object is shared between events: processors that change it replace it.
 */
export function beatFieldsProcessor(info: BeatInfo): Processor {
  const agent = Object.freeze({
    name: info.name,
    type: info.beat,
    version: info.version,
    id: info.id,
    ephemeral_id: info.ephemeralId,
    hostname: info.hostname,
  });
  return {
    name: 'beat_fields',
    run(event: BeatEvent): BeatEvent {
      const fields = event.fields;
      if (fields['agent'] === undefined) fields['agent'] = { ...agent };
      const ecs = fields['ecs'];
      if (ecs === undefined) fields['ecs'] = { version: ECS_VERSION };
      const host = fields['host'];
      if (host === undefined) fields['host'] = { name: info.name };
      else if (isPlainObject(host) && host['name'] === undefined) host['name'] = info.name;
      return event;
    },
  };
}
