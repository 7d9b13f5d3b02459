import { expect } from 'chai';
import type { BeatEvent } from '../../src/event.js';
import { closeProcessors, runProcessors } from '../../src/processors/run.js';
import type { Processor } from '../../src/processors/processor.js';
import { ev } from './helpers.js';

const tagger = (tag: string): Processor => ({
  name: `tag_${tag}`,
  run(e: BeatEvent) {
    e.fields.tags = [...((e.fields.tags as string[] | undefined) ?? []), tag];
    return e;
  },
});

describe('processors: runProcessors', () => {
  it('runs processors in order and returns the event', () => {
    const out = runProcessors([tagger('a'), tagger('b')], ev());
    expect(out?.fields.tags).to.deep.equal(['a', 'b']);
  });

  it('returns the event unchanged with no processors', () => {
    const e = ev({ x: 1 });
    expect(runProcessors([], e)).to.equal(e);
  });

  it('stops and returns null when a processor drops the event', () => {
    let ran = false;
    const after: Processor = {
      name: 'after',
      run: (e) => {
        ran = true;
        return e;
      },
    };
    expect(runProcessors([tagger('a'), { name: 'drop', run: () => null }, after], ev())).to.equal(null);
    expect(ran).to.equal(false);
  });

  it('keeps going after a throwing processor, recording the error', () => {
    const boom: Processor = {
      name: 'boom',
      run: () => {
        throw new Error('kaput');
      },
    };
    const out = runProcessors([boom, tagger('a')], ev());
    expect(out?.fields).to.deep.equal({ error: { message: 'failed applying processor boom: kaput' }, tags: ['a'] });
  });

  it('closes every processor even if one fails to close', () => {
    const closed: string[] = [];
    const p = (name: string, fail = false): Processor => ({
      name,
      run: (e) => e,
      close: () => {
        closed.push(name);
        if (fail) throw new Error('x');
      },
    });
    closeProcessors([p('a', true), p('b'), { name: 'c', run: (e) => e }]);
    expect(closed).to.deep.equal(['a', 'b']);
  });
});
