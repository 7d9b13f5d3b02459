import { expect } from 'chai';
import { expectInvalid, holds } from './helpers.js';

describe('conditions: equals', () => {
  const event = { http: { response: { code: 200, phrase: 'OK' } }, proc: { enabled: true }, type: 'http' };

  it('matches strings, integers and booleans', () => {
    expect(holds({ equals: { type: 'http' } }, event)).to.equal(true);
    expect(holds({ equals: { 'http.response.code': 200 } }, event)).to.equal(true);
    expect(holds({ equals: { 'proc.enabled': true } }, event)).to.equal(true);
    expect(holds({ equals: { type: 'dns' } }, event)).to.equal(false);
    expect(holds({ equals: { 'proc.enabled': false } }, event)).to.equal(false);
  });

  it('requires every listed field to match', () => {
    expect(holds({ equals: { type: 'http', 'http.response.code': 200 } }, event)).to.equal(true);
    expect(holds({ equals: { type: 'http', 'http.response.code': 404 } }, event)).to.equal(false);
  });

  it('accepts nested field maps like dotted keys', () => {
    expect(holds({ equals: { http: { response: { phrase: 'OK' } } } }, event)).to.equal(true);
  });

  it('does not coerce types (as Beats)', () => {
    expect(holds({ equals: { 'http.response.code': '200' } }, event)).to.equal(false);
    expect(holds({ equals: { code: 200 } }, { code: '200' })).to.equal(false);
    expect(holds({ equals: { code: 1 } }, { code: 1.5 })).to.equal(false);
    expect(holds({ equals: { flag: 'true' } }, { flag: true })).to.equal(false);
  });

  it('is false for a missing field', () => {
    expect(holds({ equals: { missing: 'x' } }, event)).to.equal(false);
  });

  it('reads @metadata', () => {
    expect(holds({ equals: { '@metadata.pipeline': 'p1' } }, {}, { pipeline: 'p1' })).to.equal(true);
  });

  it('rejects floats, lists, maps of nothing and null values', () => {
    const err = expectInvalid({ equals: { 'http.response.code': 1.5 } }, 'equals.http.response.code');
    expect(err.key).to.equal('equals.http.response.code');
    expectInvalid({ equals: { tags: ['a'] } }, 'equals.tags');
    expectInvalid({ equals: { x: null } }, 'equals.x');
    expectInvalid({ equals: {} }, 'equals');
    expectInvalid({ equals: 'type' }, 'equals');
  });
});
