import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { build, ev, expectBeatError } from './helpers.js';

describe('processors: drop_event', () => {
  it('drops every event', () => {
    expect(build('drop_event').run(ev({ a: 1 }))).to.equal(null);
  });

  it('drops only matching events with when:', () => {
    const p = build('drop_event', { when: { range: { 'http.response.code.lt': 400 } } });
    expect(p.run(ev({ http: { response: { code: 200 } } }))).to.equal(null);
    expect(p.run(ev({ http: { response: { code: 500 } } }))).to.not.equal(null);
  });

  it('takes no other settings', () => {
    expectBeatError(() => build('drop_event', { fields: ['a'] }), ErrorCodes.PROCESSOR_INVALID, 'fields');
  });
});
