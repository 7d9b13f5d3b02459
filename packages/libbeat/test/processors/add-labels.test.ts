import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError, runOne } from './helpers.js';

describe('processors: add_labels', () => {
  it('flattens nested labels and arrays into dotted names (the documented example)', () => {
    const labels = { number: 1, 'with.dots': 'test', nested: { 'with.dots': 'nested' }, array: ['do', 're', { 'with.field': 'mi' }] };
    const out = runOne(build('add_labels', { labels }), ev());
    // Beats reads each label as a string.
    expect(out.fields).to.deep.equal({
      labels: {
        number: '1',
        'with.dots': 'test',
        'nested.with.dots': 'nested',
        'array.0': 'do',
        'array.1': 're',
        'array.2.with.field': 'mi',
      },
    });
  });

  it('merges with existing labels, overwriting equal names', () => {
    const p1 = build('add_labels', { labels: { l1: 'a', lc: 'a' } });
    const p2 = build('add_labels', { labels: { l2: 'b', lc: 'b' } });
    const out = runOne(p2, runOne(p1, ev({ labels: { existing: 'x' } })));
    expect(out.fields.labels).to.deep.equal({ existing: 'x', l1: 'a', l2: 'b', lc: 'b' });
  });

  it('renders booleans as strings', () => {
    expect(runOne(build('add_labels', { labels: { on: true } }), ev()).fields).to.deep.equal({ labels: { on: 'true' } });
  });

  it('rejects missing labels, null values and other options', () => {
    expectBeatError(() => build('add_labels', {}), ErrorCodes.PROCESSOR_INVALID, 'labels');
    expectBeatError(() => build('add_labels', { labels: { a: null } }), ErrorCodes.PROCESSOR_INVALID, 'labels.a');
    expectBeatError(() => build('add_labels', { labels: { a: 'b' }, target: 'x' }), ErrorCodes.PROCESSOR_INVALID, 'target');
  });
});
