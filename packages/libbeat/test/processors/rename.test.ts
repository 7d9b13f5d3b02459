import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError, runOne, doc } from './helpers.js';

describe('processors: rename', () => {
  it('renames fields in order, nested and to deeper paths', () => {
    const p = build('rename', { fields: [{ from: 'a', to: 'a.value' }, { from: 'b.c', to: 'd' }] });
    expect(doc(runOne(p, ev({ a: 1, b: { c: 2, x: 3 } })).fields)).to.deep.equal({ a: { value: 1 }, b: { x: 3 }, d: 2 });
  });

  it('moves between fields and @metadata', () => {
    const out = runOne(build('rename', { fields: [{ from: '@metadata.id', to: 'event.id' }] }), ev({}, { id: 'x' }));
    expect(doc(out.fields)).to.deep.equal({ event: { id: 'x' } });
    expect(doc(out.meta)).to.deep.equal({});
  });

  it('fail_on_error (default) rolls back and records error.message when the target exists', () => {
    const p = build('rename', { fields: [{ from: 'a', to: 'x' }, { from: 'b', to: 'c' }] });
    const out = runOne(p, ev({ a: 1, b: 2, c: 3 }));
    expect(doc(out.fields)).to.deep.equal({
      a: 1,
      b: 2,
      c: 3,
      error: { message: 'Failed to rename fields in processor: target field c already exists, drop or rename this field first' },
    });
  });

  it('fail_on_error rolls back on a missing field', () => {
    const out = runOne(build('rename', { fields: [{ from: 'a', to: 'x' }, { from: 'missing', to: 'y' }] }), ev({ a: 1 }));
    expect(out.fields.a).to.equal(1);
    expect(out.fields.x).to.equal(undefined);
    expect(out.fields.error).to.deep.equal({ message: 'Failed to rename fields in processor: could not fetch value for key: missing, Error: key not found' });
  });

  it('ignore_missing skips missing fields', () => {
    const out = runOne(build('rename', { fields: [{ from: 'missing', to: 'y' }, { from: 'a', to: 'b' }], ignore_missing: true }), ev({ a: 1 }));
    expect(doc(out.fields)).to.deep.equal({ b: 1 });
  });

  it('fail_on_error: false keeps going past failures without error.message', () => {
    const p = build('rename', { fields: [{ from: 'a', to: 'c' }, { from: 'b', to: 'd' }], fail_on_error: false });
    expect(doc(runOne(p, ev({ a: 1, b: 2, c: 3 })).fields)).to.deep.equal({ a: 1, c: 3, d: 2 });
  });

  it('appends to an existing error.message', () => {
    const out = runOne(build('rename', { fields: [{ from: 'missing', to: 'y' }] }), ev({ error: { message: 'earlier' } }));
    expect(out.fields.error).to.deep.equal({ message: ['earlier', 'Failed to rename fields in processor: could not fetch value for key: missing, Error: key not found'] });
  });

  it('cannot rename @timestamp away (it is not a field)', () => {
    const out = runOne(build('rename', { fields: [{ from: '@timestamp', to: 'ts' }] }), ev({}));
    expect(out.fields.ts).to.equal(undefined);
    expect(String((out.fields.error as { message: string }).message)).to.include('@timestamp cannot be deleted');
  });

  it('validates its settings', () => {
    expectBeatError(() => build('rename', {}), ErrorCodes.PROCESSOR_INVALID, 'fields', 'required');
    expectBeatError(() => build('rename', { fields: [] }), ErrorCodes.PROCESSOR_INVALID, 'fields');
    expectBeatError(() => build('rename', { fields: [{ from: 'a' }] }), ErrorCodes.PROCESSOR_INVALID, 'fields.0.to');
    expectBeatError(() => build('rename', { fields: ['a'] }), ErrorCodes.PROCESSOR_INVALID, 'fields.0');
    expectBeatError(() => build('rename', { fields: [{ from: 'a', to: 'b' }], fail_on_error: 3 }), ErrorCodes.PROCESSOR_INVALID, 'fail_on_error');
  });
});
