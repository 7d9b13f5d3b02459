import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { AddLocaleProcessor, formatOffset } from '../../src/processors/add-locale.js';
import { build, ev, expectBeatError, runOne } from './helpers.js';

describe('processors: add_locale', () => {
  it('sets event.timezone to the local offset by default', () => {
    const out = runOne(build('add_locale'), ev({ event: { kind: 'event' } }));
    expect(out.fields.event).to.deep.equal({ kind: 'event', timezone: formatOffset(new Date()) });
    expect((out.fields.event as { timezone: string }).timezone).to.match(/^[+-]\d{2}:\d{2}$/);
  });

  it('formats offsets as Beats does', () => {
    const at = (offsetMinutes: number): Date => {
      const d = new Date();
      d.getTimezoneOffset = () => -offsetMinutes;
      return d;
    };
    expect(formatOffset(at(0))).to.equal('+00:00');
    expect(formatOffset(at(330))).to.equal('+05:30');
    expect(formatOffset(at(-480))).to.equal('-08:00');
  });

  it('can report the zone abbreviation', () => {
    const tz = runOne(build('add_locale', { format: 'Abbreviation' }), ev()).fields.event as { timezone: string };
    expect(tz.timezone).to.be.a('string').and.not.equal('');
  });

  it('re-reads the zone at most once a minute', () => {
    let now = 0;
    let reads = 0;
    const p = new AddLocaleProcessor('offset', () => {
      const d = new Date(now);
      const real = d.getTimezoneOffset.bind(d);
      d.getTimezoneOffset = () => {
        reads++;
        return real();
      };
      return d;
    });
    runOne(p, ev());
    now = 30_000;
    runOne(p, ev());
    expect(reads).to.equal(1);
    now = 61_000;
    runOne(p, ev());
    expect(reads).to.equal(2);
  });

  it('rejects unknown formats', () => {
    expectBeatError(() => build('add_locale', { format: 'iso' }), ErrorCodes.PROCESSOR_INVALID, 'format', 'iso');
  });
});
