import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError, runOne } from './helpers.js';

describe('processors: add_fields', () => {
  it('adds under fields by default', () => {
    const out = runOne(build('add_fields', { fields: { project: 'p1', team: { name: 'net' } } }), ev({ a: 1 }));
    expect(out.fields).to.deep.equal({ a: 1, fields: { project: 'p1', team: { name: 'net' } } });
  });

  it('adds at the root with target: ""', () => {
    const out = runOne(build('add_fields', { target: '', fields: { project: 'p1' } }), ev({ a: 1 }));
    expect(out.fields).to.deep.equal({ a: 1, project: 'p1' });
  });

  it('adds under a dotted target and expands dotted keys', () => {
    const out = runOne(build('add_fields', { target: 'project.info', fields: { 'id.num': 5 } }), ev());
    expect(out.fields).to.deep.equal({ project: { info: { id: { num: 5 } } } });
  });

  it('merges into existing objects and overwrites leaves', () => {
    const out = runOne(build('add_fields', { target: 'host', fields: { name: 'new', rack: 'r1' } }), ev({ host: { name: 'old', id: 'x' } }));
    expect(out.fields).to.deep.equal({ host: { name: 'new', id: 'x', rack: 'r1' } });
  });

  it('can target @metadata', () => {
    const out = runOne(build('add_fields', { target: '@metadata', fields: { pipeline: 'p' } }), ev({}, { beat: 'x' }));
    expect(out.meta).to.deep.equal({ beat: 'x', pipeline: 'p' });
    expect(out.fields).to.deep.equal({});
  });

  it('gives every event its own copy', () => {
    const p = build('add_fields', { fields: { list: [1] } });
    const a = runOne(p, ev());
    (a.fields.fields as { list: number[] }).list.push(2);
    expect(runOne(p, ev()).fields).to.deep.equal({ fields: { list: [1] } });
  });

  it('requires fields and rejects unknown options', () => {
    expectBeatError(() => build('add_fields', {}), ErrorCodes.PROCESSOR_INVALID, 'fields');
    expectBeatError(() => build('add_fields', { fields: 'x' }), ErrorCodes.PROCESSOR_INVALID, 'fields', 'expected a map');
    expectBeatError(() => build('add_fields', { fields: {}, tags: ['x'] }), ErrorCodes.PROCESSOR_INVALID, 'tags', 'unexpected option');
  });
});
