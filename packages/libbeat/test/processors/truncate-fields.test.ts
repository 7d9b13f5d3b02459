import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError, runOne } from './helpers.js';

describe('processors: truncate_fields', () => {
  it('truncates to max_characters and flags log.flags: truncated', () => {
    const out = runOne(build('truncate_fields', { fields: ['message'], max_characters: 5 }), ev({ message: 'hello world' }));
    expect(out.fields).to.deep.equal({ message: 'hello', log: { flags: ['truncated'] } });
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    const out = runOne(build('truncate_fields', { fields: ['m'], max_characters: 3 }), ev({ m: 'é😀日本' }));
    expect(out.fields.m).to.equal('é😀日');
  });

  it('truncates to max_bytes without splitting a character', () => {
    const out = runOne(build('truncate_fields', { fields: ['m'], max_bytes: 4 }), ev({ m: 'aé日x' }));
    // 'a' (1) + 'é' (2) = 3 bytes; '日' (3) would overflow.
    expect(out.fields.m).to.equal('aé');
    expect(runOne(build('truncate_fields', { fields: ['m'], max_bytes: 5 }), ev({ m: 'abcde' })).fields).to.deep.equal({ m: 'abcde' });
  });

  it('truncates byte values', () => {
    const e = ev();
    e.fields.raw = Buffer.from('abcdef');
    const out = runOne(build('truncate_fields', { fields: ['raw'], max_bytes: 2 }), e);
    expect(Buffer.from(out.fields.raw as Uint8Array).toString()).to.equal('ab');
  });

  it('leaves short values and existing flags alone, appending to log.flags', () => {
    const p = build('truncate_fields', { fields: ['a', 'b'], max_characters: 3 });
    const out = runOne(p, ev({ a: 'abc', b: 'abcdef', log: { flags: ['multiline'] } }));
    expect(out.fields).to.deep.equal({ a: 'abc', b: 'abc', log: { flags: ['multiline', 'truncated'] } });
  });

  it('truncates @metadata fields', () => {
    const out = runOne(build('truncate_fields', { fields: ['@metadata.m'], max_characters: 1 }), ev({}, { m: 'xyz' }));
    expect(out.meta).to.deep.equal({ m: 'x' });
  });

  it('fail_on_error rolls back on a missing or non-string field', () => {
    const p = build('truncate_fields', { fields: ['a', 'missing'], max_characters: 1 });
    const out = runOne(p, ev({ a: 'abc' }));
    expect(out.fields.a).to.equal('abc');
    expect(out.fields.log).to.equal(undefined);
    expect((out.fields.error as { message: string }).message).to.include('missing');

    const n = runOne(build('truncate_fields', { fields: ['n'], max_characters: 1 }), ev({ n: 12345 }));
    expect(n.fields).to.deep.equal({ n: 12345, error: { message: 'Failed to truncate fields: value cannot be truncated: 12345' } });
  });

  it('ignore_missing and fail_on_error: false', () => {
    const a = runOne(build('truncate_fields', { fields: ['missing', 'a'], max_characters: 1, ignore_missing: true }), ev({ a: 'abc' }));
    expect(a.fields).to.deep.equal({ a: 'a', log: { flags: ['truncated'] } });
    const b = runOne(build('truncate_fields', { fields: ['n', 'a'], max_characters: 1, fail_on_error: false }), ev({ n: 1, a: 'abc' }));
    expect(b.fields).to.deep.equal({ n: 1, a: 'a', log: { flags: ['truncated'] } });
  });

  it('needs exactly one positive limit and a field list', () => {
    expectBeatError(() => build('truncate_fields', { fields: ['a'] }), ErrorCodes.PROCESSOR_INVALID, 'max_bytes or max_characters');
    expectBeatError(() => build('truncate_fields', { fields: ['a'], max_bytes: 1, max_characters: 1 }), ErrorCodes.PROCESSOR_INVALID, 'mutually exclusive');
    expectBeatError(() => build('truncate_fields', { fields: ['a'], max_bytes: 0 }), ErrorCodes.PROCESSOR_INVALID, 'max_bytes');
    expectBeatError(() => build('truncate_fields', { fields: ['a'], max_characters: 'many' }), ErrorCodes.PROCESSOR_INVALID, 'max_characters');
    expectBeatError(() => build('truncate_fields', { max_bytes: 3 }), ErrorCodes.PROCESSOR_INVALID, 'fields');
  });
});
