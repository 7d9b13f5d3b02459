import { expect } from 'chai';
import { expectInvalid, holds } from './helpers.js';

describe('conditions: and / or / not', () => {
  const fields = { type: 'http', http: { response: { code: 404 } } };

  it('and: all must hold', () => {
    expect(holds({ and: [{ equals: { type: 'http' } }, { range: { 'http.response.code.gte': 400 } }] }, fields)).to.equal(true);
    expect(holds({ and: [{ equals: { type: 'http' } }, { range: { 'http.response.code.lt': 400 } }] }, fields)).to.equal(false);
  });

  it('or: one is enough', () => {
    expect(holds({ or: [{ equals: { type: 'dns' } }, { equals: { 'http.response.code': 404 } }] }, fields)).to.equal(true);
    expect(holds({ or: [{ equals: { type: 'dns' } }, { equals: { type: 'tls' } }] }, fields)).to.equal(false);
  });

  it('not: negates', () => {
    expect(holds({ not: { equals: { type: 'dns' } } }, fields)).to.equal(true);
    expect(holds({ not: { equals: { type: 'http' } } }, fields)).to.equal(false);
  });

  it('nests', () => {
    const cond = { or: [{ and: [{ equals: { type: 'http' } }, { not: { has_fields: ['error'] } }] }, { equals: { type: 'dns' } }] };
    expect(holds(cond, fields)).to.equal(true);
    expect(holds(cond, { ...fields, error: { message: 'x' } })).to.equal(false);
  });

  it('reports the path of a bad nested condition', () => {
    const err = expectInvalid({ and: [{ equals: { type: 'http' } }, { range: { 'x.between': 1 } }] }, 'and.1.range.x.between');
    expect(err.key).to.equal('and.1.range.x.between');
    expectInvalid({ or: [{ not: { bogus: {} } }] }, 'or.0.not.bogus', 'unknown condition type "bogus"');
  });

  it('rejects empty or non-list and/or, and a non-map not', () => {
    expectInvalid({ and: [] }, 'and', 'non-empty list');
    expectInvalid({ or: { equals: { a: 'b' } } }, 'or');
    expectInvalid({ not: 'x' }, 'not');
  });
});
