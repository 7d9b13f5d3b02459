import { expect } from 'chai';
import { expectInvalid, holds } from './helpers.js';

describe('conditions: contains', () => {
  it('matches substrings', () => {
    expect(holds({ contains: { 'http.request.method': 'GE' } }, { http: { request: { method: 'GET' } } })).to.equal(true);
    expect(holds({ contains: { 'http.request.method': 'POST' } }, { http: { request: { method: 'GET' } } })).to.equal(false);
  });

  it('matches if any string of an array contains it', () => {
    expect(holds({ contains: { tags: 'prod' } }, { tags: ['dev', 'production'] })).to.equal(true);
    expect(holds({ contains: { tags: 'prod' } }, { tags: ['dev', 'test'] })).to.equal(false);
  });

  it('requires every field to match', () => {
    const fields = { a: 'hello', b: 'world' };
    expect(holds({ contains: { a: 'ell', b: 'orl' } }, fields)).to.equal(true);
    expect(holds({ contains: { a: 'ell', b: 'xyz' } }, fields)).to.equal(false);
  });

  it('never matches non-strings or missing fields', () => {
    expect(holds({ contains: { n: '1' } }, { n: 123 })).to.equal(false);
    expect(holds({ contains: { missing: 'x' } }, {})).to.equal(false);
  });

  it('rejects non-string values', () => {
    expectInvalid({ contains: { n: 1 } }, 'contains.n', 'must be a string');
  });
});
