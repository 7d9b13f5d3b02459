import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError, runOne, T0 } from './helpers.js';

describe('processors: include_fields', () => {
  it('keeps only the listed fields plus type', () => {
    const out = runOne(
      build('include_fields', { fields: ['http.request', 'status'] }),
      ev({ type: 'http', status: 'OK', http: { request: { method: 'GET' }, response: { code: 200 } }, other: 1 }),
    );
    expect(out.fields).to.deep.equal({ type: 'http', status: 'OK', http: { request: { method: 'GET' } } });
  });

  it('keeps the timestamp and metadata, which are not fields', () => {
    const out = runOne(build('include_fields', { fields: ['@timestamp', '@metadata.x', 'a'] }), ev({ a: 1, b: 2 }, { x: 1, y: 2 }));
    expect(out.fields).to.deep.equal({ a: 1 });
    expect(out.timestamp).to.equal(T0);
    expect(out.meta).to.deep.equal({ x: 1, y: 2 });
  });

  it('ignores missing fields', () => {
    expect(runOne(build('include_fields', { fields: ['nope'] }), ev({ a: 1 })).fields).to.deep.equal({});
  });

  it('requires fields', () => {
    expectBeatError(() => build('include_fields', {}), ErrorCodes.PROCESSOR_INVALID, 'fields');
    expectBeatError(() => build('include_fields', { fields: ['a'], target: 'x' }), ErrorCodes.PROCESSOR_INVALID, 'target');
  });
});
