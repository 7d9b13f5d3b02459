import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError, runOne } from './helpers.js';

describe('processors: copy_fields', () => {
  it('copies values, deeply', () => {
    const out = runOne(build('copy_fields', { fields: [{ from: 'src', to: 'dst.copy' }] }), ev({ src: { list: [1, 2], v: 'x' } }));
    expect(out.fields).to.deep.equal({ src: { list: [1, 2], v: 'x' }, dst: { copy: { list: [1, 2], v: 'x' } } });
    (out.fields.src as { list: number[] }).list.push(3);
    expect((out.fields.dst as { copy: { list: number[] } }).copy.list).to.deep.equal([1, 2]);
  });

  it('copies into @metadata', () => {
    expect(runOne(build('copy_fields', { fields: [{ from: 'id', to: '@metadata._id' }] }), ev({ id: 'abc' })).meta).to.deep.equal({ _id: 'abc' });
  });

  it('fail_on_error rolls back and records error.message when the target exists', () => {
    const out = runOne(build('copy_fields', { fields: [{ from: 'a', to: 'x' }, { from: 'a', to: 'b' }] }), ev({ a: 1, b: 2 }));
    expect(out.fields).to.deep.equal({
      a: 1,
      b: 2,
      error: { message: 'Failed to copy fields in copy_fields processor: target field b already exists, drop or rename this field first' },
    });
  });

  it('ignore_missing and fail_on_error: false', () => {
    expect(runOne(build('copy_fields', { fields: [{ from: 'nope', to: 'x' }], ignore_missing: true }), ev({ a: 1 })).fields).to.deep.equal({ a: 1 });
    const p = build('copy_fields', { fields: [{ from: 'nope', to: 'x' }, { from: 'a', to: 'y' }], fail_on_error: false });
    expect(runOne(p, ev({ a: 1 })).fields).to.deep.equal({ a: 1, y: 1 });
  });

  it('validates its settings', () => {
    expectBeatError(() => build('copy_fields', {}), ErrorCodes.PROCESSOR_INVALID, 'fields');
    expectBeatError(() => build('copy_fields', { fields: [{ to: 'b' }] }), ErrorCodes.PROCESSOR_INVALID, 'fields.0.from');
  });
});
