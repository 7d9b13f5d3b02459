import { expect } from 'chai';
import { expectInvalid, holds } from './helpers.js';

describe('conditions: range', () => {
  const event = (code: unknown): Record<string, unknown> => ({ http: { response: { code } } });

  it('supports gte, gt, lte, lt on field.op keys', () => {
    expect(holds({ range: { 'http.response.code.gte': 400 } }, event(400))).to.equal(true);
    expect(holds({ range: { 'http.response.code.gte': 400 } }, event(399))).to.equal(false);
    expect(holds({ range: { 'http.response.code.gt': 400 } }, event(400))).to.equal(false);
    expect(holds({ range: { 'http.response.code.lte': 400 } }, event(400))).to.equal(true);
    expect(holds({ range: { 'http.response.code.lt': 400 } }, event(400))).to.equal(false);
  });

  it('combines bounds on one field, also written nested', () => {
    const cond = { range: { 'http.response.code': { gte: 400, lt: 500 } } };
    expect(holds(cond, event(404))).to.equal(true);
    expect(holds(cond, event(500))).to.equal(false);
    expect(holds(cond, event(200))).to.equal(false);
  });

  it('works on floats and accepts numeric-string bounds', () => {
    expect(holds({ range: { 'cpu.pct.gt': '0.5' } }, { cpu: { pct: 0.75 } })).to.equal(true);
    expect(holds({ range: { 'cpu.pct.gt': 0.5 } }, { cpu: { pct: 0.25 } })).to.equal(false);
  });

  it('never matches non-numbers or missing fields (as Beats)', () => {
    expect(holds({ range: { 'http.response.code.gte': 400 } }, event('404'))).to.equal(false);
    expect(holds({ range: { 'x.gte': 1 } }, {})).to.equal(false);
  });

  it('requires all fields to be in range', () => {
    const cond = { range: { 'a.gt': 1, 'b.lt': 10 } };
    expect(holds(cond, { a: 2, b: 5 })).to.equal(true);
    expect(holds(cond, { a: 2, b: 50 })).to.equal(false);
  });

  it('rejects unknown operators and non-numeric bounds', () => {
    expectInvalid({ range: { 'http.response.code.ge': 400 } }, 'range.http.response.code.ge', 'lt, lte, gt, gte');
    expectInvalid({ range: { gte: 400 } }, 'range.gte');
    expectInvalid({ range: { 'x.gte': 'abc' } }, 'range.x.gte', 'not a number');
    expectInvalid({ range: { 'x.gte': true } }, 'range.x.gte');
  });
});
