import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError, makeCtx, runOne } from './helpers.js';

describe('processors: add_tags', () => {
  it('creates the tags list', () => {
    expect(runOne(build('add_tags', { tags: ['web', 'prod'] }), ev()).fields).to.deep.equal({ tags: ['web', 'prod'] });
  });

  it('appends to existing tags without de-duplicating (as Beats)', () => {
    expect(runOne(build('add_tags', { tags: ['b', 'a'] }), ev({ tags: ['a'] })).fields.tags).to.deep.equal(['a', 'b', 'a']);
  });

  it('accepts a single string and a custom target', () => {
    expect(runOne(build('add_tags', { tags: 'x', target: 'labels.tags' }), ev()).fields).to.deep.equal({ labels: { tags: ['x'] } });
  });

  it('does not share the configured list between events', () => {
    const p = build('add_tags', { tags: ['x'] });
    runOne(p, ev()).fields.tags = 'mutated';
    (runOne(p, ev()).fields.tags as string[]).push('y');
    expect(runOne(p, ev()).fields.tags).to.deep.equal(['x']);
  });

  it('leaves a non-list target alone and logs why', () => {
    const ctx = makeCtx();
    const out = runOne(build('add_tags', { tags: ['x'] }, ctx), ev({ tags: 'scalar' }));
    expect(out.fields).to.deep.equal({ tags: 'scalar' });
    expect(ctx.logger.lines.some((l) => l.level === 'debug' && l.message.includes('expected string array'))).to.equal(true);
  });

  it('requires tags and rejects unknown options', () => {
    expectBeatError(() => build('add_tags', {}), ErrorCodes.PROCESSOR_INVALID, 'tags', 'required');
    expectBeatError(() => build('add_tags', { tags: [{}] }), ErrorCodes.PROCESSOR_INVALID, 'tags.0');
    expectBeatError(() => build('add_tags', { tags: ['a'], fields: {} }), ErrorCodes.PROCESSOR_INVALID, 'fields', 'unexpected option');
  });
});
