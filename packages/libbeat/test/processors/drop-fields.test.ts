import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError, makeCtx, runOne, T0, doc } from './helpers.js';

describe('processors: drop_fields', () => {
  it('drops listed fields, nested ones included', () => {
    const out = runOne(build('drop_fields', { fields: ['a', 'b.c'] }), ev({ a: 1, b: { c: 2, d: 3 }, e: 4 }));
    expect(doc(out.fields)).to.deep.equal({ b: { d: 3 }, e: 4 });
  });

  it('never drops @timestamp or type', () => {
    const out = runOne(build('drop_fields', { fields: ['@timestamp', 'type', 'a'] }), ev({ type: 'http', a: 1 }));
    expect(doc(out.fields)).to.deep.equal({ type: 'http' });
    expect(out.timestamp).to.equal(T0);
  });

  it('drops @metadata fields', () => {
    const out = runOne(build('drop_fields', { fields: ['@metadata.meta_field'] }), ev({ field: 'v' }, { meta_field: 'v', keep: 1 }));
    expect(doc(out.meta)).to.deep.equal({ keep: 1 });
    expect(doc(out.fields)).to.deep.equal({ field: 'v' });
  });

  it('drops fields whose dotted names match /regexp/ entries, intermediate objects included', () => {
    const fields = {
      field_1: {
        subfield_1: 'sf_1_value',
        subfield_2: { subfield_2_1: 'sf_2_1_value', subfield_2_2: 'sf_2_2_value' },
        subfield_3: { subfield_3_1: 'sf_3_1_value', subfield_3_2: 'sf_3_2_value' },
      },
      field_2: 'f_2_value',
      type: 'keep_type',
    };
    const p = build('drop_fields', { fields: ['/field_2$/', '/field_1\\.(.*)\\.subfield_2_1/', '/field_1\\.subfield_3(.*)/', '/^typ/'] });
    expect(doc(runOne(p, ev(fields)).fields)).to.deep.equal({ field_1: { subfield_1: 'sf_1_value' }, type: 'keep_type' });
  });

  it('logs missing fields unless ignore_missing', () => {
    const ctx = makeCtx();
    const out = runOne(build('drop_fields', { fields: ['missing', 'a'] }, ctx), ev({ a: 1, b: 2 }));
    expect(doc(out.fields)).to.deep.equal({ b: 2 });
    expect(ctx.logger.lines.map((l) => l.message).join('\n')).to.include('missing');

    const quiet = makeCtx();
    runOne(build('drop_fields', { fields: ['missing'], ignore_missing: true }, quiet), ev({ a: 1 }));
    expect(quiet.logger.lines).to.deep.equal([]);
  });

  it('drops nothing with an empty list', () => {
    expect(doc(runOne(build('drop_fields', { fields: [] }), ev({ a: 1 })).fields)).to.deep.equal({ a: 1 });
  });

  it('rejects a missing list, bad regexps and unknown options', () => {
    expectBeatError(() => build('drop_fields', {}), ErrorCodes.PROCESSOR_INVALID, 'fields', 'required');
    expectBeatError(() => build('drop_fields', { fields: ['/[/'] }), ErrorCodes.PROCESSOR_INVALID, 'fields.0', 'invalid regular expression');
    expectBeatError(() => build('drop_fields', { fields: ['a'], ignore_mising: true }), ErrorCodes.PROCESSOR_INVALID, 'ignore_mising');
    expectBeatError(() => build('drop_fields', { fields: ['a'], ignore_missing: 'yes' }), ErrorCodes.PROCESSOR_INVALID, 'ignore_missing', 'boolean');
  });
});
