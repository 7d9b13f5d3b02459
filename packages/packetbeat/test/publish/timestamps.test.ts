import { expect } from 'chai';
import { IsoMicros, microsToIso } from '../../src/publish/timestamps.js';

/** An independent reference: Date's millisecond text plus the sub-millisecond digits. */
function reference(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(Math.floor(us - ms * 1000)).padStart(3, '0')}Z`;
}

describe('microsecond timestamps (IsoMicros)', () => {
  it('writes what the Date-based reference writes, cached or not', () => {
    const iso = new IsoMicros();
    const times = [0, 1, 999_999, 1_000_000, 1_700_000_000_000_000, 1_700_000_000_000_001, 1_700_000_000_123_456, 1_700_000_000_999_999, 1_700_000_001_000_000, 1_700_000_000_000_000.5, 1_424_218_386_123_456];
    let seed = 7;
    for (let i = 0; i < 1000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      times.push(1_600_000_000_000_000 + (seed % 3) * 1_000_000 + (seed % 1_000_000));
    }
    for (const t of times) {
      expect(iso.format(t), String(t)).to.equal(reference(t));
      expect(microsToIso(t), String(t)).to.equal(reference(t));
    }
  });
});
