import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { TimeBasedIdGenerator } from '../../src/processors/add-id.js';
import { build, ev, expectBeatError, runOne } from './helpers.js';

describe('processors: add_id', () => {
  it('sets @metadata._id by default to a 20-char base64url id', () => {
    const out = runOne(build('add_id'), ev({ a: 1 }));
    expect(out.fields).to.deep.equal({ a: 1 });
    const id = out.meta?._id;
    expect(id).to.be.a('string').and.match(/^[A-Za-z0-9_-]{20}$/);
  });

  it('writes to target_field', () => {
    const out = runOne(build('add_id', { target_field: 'event.id' }), ev());
    expect((out.fields.event as { id: string }).id).to.match(/^[A-Za-z0-9_-]{20}$/);
  });

  it('generates unique ids', () => {
    const p = build('add_id');
    const ids = new Set<unknown>();
    for (let i = 0; i < 5000; i++) ids.add(runOne(p, ev()).meta?._id);
    expect(ids.size).to.equal(5000);
  });

  it('packs sequence and timestamp like Elasticsearch ids, never going back in time', () => {
    let now = 0x0102030405;
    const gen = new TimeBasedIdGenerator(() => now);
    const a = Buffer.from(gen.next(), 'base64url');
    expect(a).to.have.length(15);
    // Timestamp bytes: [2..5] = bits 16..47, [12] = bits 8..15, [14] = bits 0..7.
    expect([a[2], a[3], a[4], a[5], a[12], a[14]]).to.deep.equal([0x03, 0x02, 0x01, 0x00, 0x04, 0x05]);
    now -= 1000;
    const b = Buffer.from(gen.next(), 'base64url');
    expect([b[2], b[3], b[4], b[12], b[14]]).to.deep.equal([0x03, 0x02, 0x01, 0x04, 0x05]);
    // The sequence advanced by one (low byte at [0], middle at [13]).
    expect(((b[13] ?? 0) << 8) | (b[0] ?? 0)).to.equal(((((a[13] ?? 0) << 8) | (a[0] ?? 0)) + 1) & 0xffff);
  });

  it('validates its settings', () => {
    expectBeatError(() => build('add_id', { type: 'uuid' }), ErrorCodes.PROCESSOR_INVALID, 'type');
    expectBeatError(() => build('add_id', { target_field: '' }), ErrorCodes.PROCESSOR_INVALID, 'target_field');
  });
});
