import { expect } from 'chai';
import { expectInvalid, holds } from './helpers.js';

describe('conditions: regexp', () => {
  it('matches unanchored patterns', () => {
    expect(holds({ regexp: { 'url.path': 'admin' } }, { url: { path: '/site/admin/login' } })).to.equal(true);
    expect(holds({ regexp: { 'url.path': '^/admin' } }, { url: { path: '/site/admin/login' } })).to.equal(false);
    expect(holds({ regexp: { 'process.name': '^(?:ng|ap)' } }, { process: { name: 'nginx' } })).to.equal(true);
  });

  it('matches arrays on any element', () => {
    expect(holds({ regexp: { tags: '^prod-\\d+$' } }, { tags: ['x', 'prod-12'] })).to.equal(true);
    expect(holds({ regexp: { tags: '^prod-\\d+$' } }, { tags: ['x', 'prod-a'] })).to.equal(false);
  });

  it('is stable across repeated checks (no global-flag state)', () => {
    const fields = { msg: 'abc' };
    for (let i = 0; i < 3; i++) expect(holds({ regexp: { msg: 'b' } }, fields)).to.equal(true);
  });

  it('rejects invalid patterns and non-strings', () => {
    expectInvalid({ regexp: { msg: '(' } }, 'regexp.msg', 'invalid regular expression');
    expectInvalid({ regexp: { msg: 5 } }, 'regexp.msg');
  });
});
