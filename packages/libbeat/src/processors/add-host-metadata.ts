import type { BeatEvent, EventFields } from '../event.js';
import { deepClone, getField, isPlainObject, mergeFields } from '../common/fields.js';
import { ConfigReader } from './config.js';
import { formatGoScalar } from './go-format.js';
import { collectHostInfo, hostFields, type HostInfo } from './host-info.js';
import type { Processor, ProcessorFactory } from './processor.js';

const GEO_KEYS = ['name', 'location', 'continent_name', 'country_name', 'country_iso_code', 'region_name', 'region_iso_code', 'city_name'];

/** Beats skips events that already carry host fields other than `host.name` (when replace_fields is false). */
function hasOwnHostFields(event: BeatEvent): boolean {
  const host = getField(event.fields, 'host');
  if (!isPlainObject(host)) return false;
  const keys = Object.keys(host);
  return !(keys.length === 1 && keys[0] === 'name');
}

/**
 * `add_host_metadata`: merges the host's facts under `host.*`. They are
 * gathered once when the processor is created; no I/O per event.
 */
export class AddHostMetadataProcessor implements Processor {
  readonly name = 'add_host_metadata';

  constructor(
    private readonly host: EventFields,
    private readonly replaceFields: boolean,
  ) {}

  run(event: BeatEvent): BeatEvent {
    if (!this.replaceFields && hasOwnHostFields(event)) return event;
    mergeFields(event.fields, { host: deepClone(this.host) });
    return event;
  }
}

/** The factory, with the host-facts source injectable for tests. */
export function makeAddHostMetadataFactory(collect: () => HostInfo = collectHostInfo): ProcessorFactory {
  return {
    name: 'add_host_metadata',
    create(config) {
      const r = new ConfigReader('add_host_metadata', config);
      const netinfo = r.bool('netinfo.enabled', true);
      const replaceFields = r.bool('replace_fields', true);
      const name = r.optString('name');
      const geo = r.optObject('geo');
      // cache.ttl is ignored: the facts are read once, at creation, and kept.

      const host = hostFields(collect(), netinfo);
      if (name !== undefined && name !== '') host.name = name;
      if (geo !== undefined) {
        const geoFields: EventFields = {};
        for (const [key, value] of Object.entries(geo)) {
          if (!GEO_KEYS.includes(key)) throw r.error(`geo.${key}`, `unexpected option (allowed: ${GEO_KEYS.join(', ')})`);
          const text = value === null || value === undefined ? '' : (formatGoScalar(value) ?? JSON.stringify(value));
          if (text.trim() !== '') geoFields[key] = text;
        }
        const location = geoFields.location;
        if (typeof location === 'string' && !/^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$/.test(location)) {
          throw r.error('geo.location', `invalid "lat, lon" string: ${location}`);
        }
        if (Object.keys(geoFields).length > 0) host.geo = geoFields;
      }
      return new AddHostMetadataProcessor(host, replaceFields);
    },
  };
}

export const addHostMetadataFactory: ProcessorFactory = makeAddHostMetadataFactory();
