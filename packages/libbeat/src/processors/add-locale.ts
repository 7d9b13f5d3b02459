import type { BeatEvent } from '../event.js';
import { putField } from '../common/fields.js';
import { ConfigReader } from './config.js';
import type { Processor, ProcessorFactory } from './processor.js';

export type TimezoneFormat = 'offset' | 'abbreviation';

/** The local zone's UTC offset as `+hh:mm`/`-hh:mm`, as Beats formats it. */
export function formatOffset(date: Date): string {
  let minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  minutes = Math.abs(minutes);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${sign}${hh}:${mm}`;
}

/**
 * The local zone's short name. JavaScript only exposes the ICU short name:
 * it is `UTC`, `EST`, `PDT`... where ICU knows an abbreviation for the
 * locale, else a `GMT+2`-style name (Go would print e.g. `CEST`).
 */
export function formatAbbreviation(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  return part?.value ?? formatOffset(date);
}

// The zone can change (DST), so it is re-read, but at most once a minute.
const REFRESH_MS = 60_000;

/** `add_locale`: sets `event.timezone` to the machine's zone, as an offset (default) or abbreviation. */
export class AddLocaleProcessor implements Processor {
  readonly name = 'add_locale';
  private cached = '';
  private cachedAt = -Infinity;

  constructor(
    readonly format: TimezoneFormat,
    private readonly now: () => Date = () => new Date(),
  ) {}

  run(event: BeatEvent): BeatEvent {
    const now = this.now();
    if (now.getTime() - this.cachedAt >= REFRESH_MS || now.getTime() < this.cachedAt) {
      this.cached = this.format === 'offset' ? formatOffset(now) : formatAbbreviation(now);
      this.cachedAt = now.getTime();
    }
    putField(event.fields, 'event.timezone', this.cached);
    return event;
  }
}

export const addLocaleFactory: ProcessorFactory = {
  name: 'add_locale',
  create(config) {
    const r = new ConfigReader('add_locale', config);
    return new AddLocaleProcessor(r.choice('format', ['offset', 'abbreviation'] as const, 'offset'));
  },
};
