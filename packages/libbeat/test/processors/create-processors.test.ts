import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import type { BeatEvent } from '../../src/event.js';
import { createProcessorRegistry, processorRegistry } from '../../src/processors/builtins.js';
import { createProcessors } from '../../src/processors/create.js';
import type { ProcessorFactory } from '../../src/processors/processor.js';
import { ProcessorRegistry } from '../../src/processors/registry.js';
import { runProcessors } from '../../src/processors/run.js';
import { ev, expectBeatError, makeCtx, doc } from './helpers.js';

const BUILTINS = [
  'add_fields',
  'add_host_metadata',
  'add_id',
  'add_labels',
  'add_locale',
  'add_tags',
  'community_id',
  'convert',
  'copy_fields',
  'drop_event',
  'drop_fields',
  'fingerprint',
  'include_fields',
  'rename',
  'truncate_fields',
];

describe('processors: createProcessors', () => {
  const ctx = makeCtx();

  it('returns no processors for a missing list', () => {
    expect(createProcessors(undefined, ctx)).to.deep.equal([]);
    expect(createProcessors(null, ctx)).to.deep.equal([]);
    expect(createProcessors([], ctx)).to.deep.equal([]);
  });

  it('builds processors in order from {name: settings} entries', () => {
    const ps = createProcessors([{ add_fields: { target: '', fields: { a: 1 } } }, { rename: { fields: [{ from: 'a', to: 'b' }] } }], ctx);
    expect(ps.map((p) => p.name)).to.deep.equal(['add_fields', 'rename']);
    expect(doc(runProcessors(ps, ev())?.fields)).to.deep.equal({ b: 1 });
  });

  it('accepts an entry with no settings (drop_event:)', () => {
    const ps = createProcessors([{ drop_event: null }], ctx);
    expect(runProcessors(ps, ev({ a: 1 }))).to.equal(null);
  });

  it('wraps processors that have when:', () => {
    const ps = createProcessors([{ drop_event: { when: { equals: { type: 'dns' } } } }], ctx);
    expect(runProcessors(ps, ev({ type: 'dns' }))).to.equal(null);
    expect(doc(runProcessors(ps, ev({ type: 'http' }))?.fields)).to.deep.equal({ type: 'http' });
  });

  it('does not pass when: to the factory (allowed-key checks still pass)', () => {
    expect(() => createProcessors([{ add_tags: { tags: ['x'], when: { has_fields: ['a'] } } }], ctx)).not.to.throw();
  });

  it('runs if/then/else lists', () => {
    const ps = createProcessors(
      [
        {
          if: { equals: { type: 'http' } },
          then: [{ add_tags: { tags: ['web'] } }, { add_fields: { target: '', fields: { web: true } } }],
          else: { add_tags: { tags: ['other'] } },
        },
      ],
      ctx,
    );
    expect(doc(runProcessors(ps, ev({ type: 'http' }))?.fields)).to.deep.equal({ type: 'http', tags: ['web'], web: true });
    expect(doc(runProcessors(ps, ev({ type: 'dns' }))?.fields)).to.deep.equal({ type: 'dns', tags: ['other'] });
  });

  it('if without else leaves non-matching events alone; then may drop', () => {
    const ps = createProcessors([{ if: { has_fields: ['secret'] }, then: [{ drop_event: {} }] }], ctx);
    expect(runProcessors(ps, ev({ secret: 1 }))).to.equal(null);
    expect(doc(runProcessors(ps, ev({ a: 1 }))?.fields)).to.deep.equal({ a: 1 });
  });

  it('rejects unknown processors, naming them and listing the known ones', () => {
    const err = expectBeatError(() => createProcessors([{ add_feilds: {} }], ctx), ErrorCodes.PROCESSOR_UNKNOWN, '"add_feilds"', 'processors.0');
    for (const name of BUILTINS) expect(err.message).to.include(name);
    expect(err.key).to.equal('processors.0.add_feilds');
  });

  it('rejects malformed lists and entries', () => {
    expectBeatError(() => createProcessors({ add_fields: {} }, ctx), ErrorCodes.PROCESSOR_INVALID, 'expected a list');
    expectBeatError(() => createProcessors(['drop_event'], ctx), ErrorCodes.PROCESSOR_INVALID, 'processors.0');
    expectBeatError(() => createProcessors([{ drop_event: {}, add_tags: { tags: ['a'] } }], ctx), ErrorCodes.PROCESSOR_INVALID, 'exactly one action');
    expectBeatError(() => createProcessors([{}], ctx), ErrorCodes.PROCESSOR_INVALID, 'exactly one action');
    expectBeatError(() => createProcessors([{ add_tags: ['a'] }], ctx), ErrorCodes.PROCESSOR_INVALID, 'processors.0.add_tags');
  });

  it('locates factory errors in the list', () => {
    const err = expectBeatError(
      () => createProcessors([{ drop_event: {} }, { add_fields: { fields: { a: 1 }, bogus: 1 } }], ctx),
      ErrorCodes.PROCESSOR_INVALID,
      'processors.1.add_fields',
      'bogus',
    );
    expect(err.key).to.equal('processors.1.add_fields.bogus');
  });

  it('names errors after the config path given for the list', () => {
    const err = expectBeatError(
      () => createProcessors([{ rename: {} }], ctx, processorRegistry, 'packetbeat.protocols.http.processors'),
      ErrorCodes.PROCESSOR_INVALID,
      'packetbeat.protocols.http.processors.0.rename',
    );
    expect(err.key).to.equal('packetbeat.protocols.http.processors.0.rename.fields');
  });

  it('reports bad when:/if: conditions as CONDITION_INVALID with their path', () => {
    const err = expectBeatError(
      () => createProcessors([{ drop_event: { when: { equal: { a: 'b' } } } }], ctx),
      ErrorCodes.CONDITION_INVALID,
      'processors.0.drop_event.when.equal',
    );
    expect(err.key).to.equal('processors.0.drop_event.when.equal');
    expectBeatError(() => createProcessors([{ if: { range: { x: 1 } }, then: [] }], ctx), ErrorCodes.CONDITION_INVALID, 'processors.0.if.range.x');
  });

  it('validates if/then/else entries', () => {
    expectBeatError(() => createProcessors([{ if: { has_fields: ['a'] } }], ctx), ErrorCodes.PROCESSOR_INVALID, 'processors.0.then');
    expectBeatError(
      () => createProcessors([{ if: { has_fields: ['a'] }, then: [], otherwise: [] }], ctx),
      ErrorCodes.PROCESSOR_INVALID,
      'processors.0.otherwise',
    );
    expectBeatError(
      () => createProcessors([{ if: { has_fields: ['a'] }, then: [{ nope: {} }] }], ctx),
      ErrorCodes.PROCESSOR_UNKNOWN,
      'processors.0.then.0',
    );
  });
});

describe('processors: registry', () => {
  it('is pre-filled with every built-in', () => {
    expect(processorRegistry.names()).to.deep.equal(BUILTINS);
    expect(createProcessorRegistry().names()).to.deep.equal(BUILTINS);
  });

  it('accepts processors registered by a beat', () => {
    const registry = createProcessorRegistry();
    const upper: ProcessorFactory = {
      name: 'uppercase_message',
      create: () => ({
        name: 'uppercase_message',
        run: (e: BeatEvent) => {
          e.fields.message = String(e.fields.message).toUpperCase();
          return e;
        },
      }),
    };
    registry.register(upper);
    expect(registry.has('uppercase_message')).to.equal(true);
    const ps = createProcessors([{ uppercase_message: { when: { has_fields: ['message'] } } }], makeCtx(), registry);
    expect(doc(runProcessors(ps, ev({ message: 'hi' }))?.fields)).to.deep.equal({ message: 'HI' });
    // The default registry is untouched.
    expect(processorRegistry.has('uppercase_message')).to.equal(false);
  });

  it('refuses to register a name twice', () => {
    const registry = new ProcessorRegistry();
    const f: ProcessorFactory = { name: 'x', create: () => ({ name: 'x', run: (e: BeatEvent) => e }) };
    registry.register(f);
    expect(() => registry.register(f)).to.throw(/already registered/);
  });
});
