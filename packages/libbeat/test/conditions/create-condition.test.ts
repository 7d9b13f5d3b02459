import { expect } from 'chai';
import { createCondition } from '../../src/conditions/create.js';
import { describeCondition } from '../../src/conditions/describe.js';
import { expectInvalid } from './helpers.js';

describe('conditions: createCondition', () => {
  it('builds every documented condition type', () => {
    for (const config of [
      { equals: { a: 'b' } },
      { contains: { a: 'b' } },
      { regexp: { a: 'b' } },
      { range: { 'a.gt': 1 } },
      { network: { ip: 'private' } },
      { has_fields: ['a'] },
      { and: [{ equals: { a: 'b' } }] },
      { or: [{ equals: { a: 'b' } }] },
      { not: { equals: { a: 'b' } } },
    ]) {
      expect(() => createCondition(config), JSON.stringify(config)).not.to.throw();
    }
  });

  it('names unknown condition types and lists the known ones', () => {
    const err = expectInvalid({ equal: { a: 'b' } }, 'unknown condition type "equal"', 'equals', 'has_fields', 'network');
    expect(err.key).to.equal('equal');
  });

  it('rejects several types in one map, and empty or non-map configs', () => {
    expectInvalid({ equals: { a: 'b' }, contains: { a: 'b' } }, 'exactly one condition type', 'equals, contains');
    expectInvalid({}, 'exactly one condition type', 'none');
    expectInvalid('equals', 'expected a map');
    expectInvalid(null, 'expected a map');
  });

  it('has a readable description', () => {
    expect(describeCondition(createCondition({ not: { equals: { a: 'b' } } }))).to.equal('not equals: {"a":"b"}');
    expect(describeCondition(createCondition({ or: [{ has_fields: ['a'] }, { range: { 'x.gte': 1 } }] }))).to.equal(
      'has_fields: [a] or range: {"x":{"gte":1}}',
    );
    expect(describeCondition({ check: () => true })).to.equal('condition');
  });
});
