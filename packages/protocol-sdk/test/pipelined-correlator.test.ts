import { expect } from 'chai';
import { PipelinedCorrelator } from '../src/pipelined-correlator.js';

describe('protocol-sdk: PipelinedCorrelator', () => {
  it('answers requests in order', () => {
    const c = new PipelinedCorrelator<string>();
    expect(c.shiftRequest()).to.equal(undefined);
    c.pushRequest('GET /a');
    c.pushRequest('GET /b');
    expect(c.length).to.equal(2);
    expect(c.peekRequest()).to.equal('GET /a');
    expect(c.shiftRequest()).to.equal('GET /a');
    expect(c.shiftRequest()).to.equal('GET /b');
    expect(c.shiftRequest()).to.equal(undefined);
    expect(c.length).to.equal(0);
  });

  it('refuses requests beyond maxPending and keeps the waiting ones', () => {
    const dropped: number[] = [];
    const c = new PipelinedCorrelator<number>({ maxPending: 2, onDropped: (r) => dropped.push(r) });
    expect(c.pushRequest(1)).to.be.true;
    expect(c.pushRequest(2)).to.be.true;
    expect(c.pushRequest(3)).to.be.false;
    expect(dropped).to.deep.equal([3]);
    expect(c.dropped).to.equal(1);
    expect(c.shiftRequest()).to.equal(1);
    expect(c.pushRequest(4)).to.be.true;
    expect(c.drain()).to.deep.equal([2, 4]);
    expect(c.length).to.equal(0);
  });

  it('stays in order over many pushes and shifts', () => {
    const c = new PipelinedCorrelator<number>({ maxPending: 10_000 });
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 7; i++) c.pushRequest(next++);
      for (let i = 0; i < 5; i++) expect(c.shiftRequest()).to.equal(expected++);
    }
    expect(c.length).to.equal(400);
    for (const r of c.drain()) expect(r).to.equal(expected++);
    expect(expected).to.equal(next);
  });

  it('expires requests by packet time, oldest first', () => {
    const c = new PipelinedCorrelator<string>();
    c.pushRequest('a', 1_000);
    c.pushRequest('b', 2_000);
    c.pushRequest('c', 9_000);
    const expired: Array<[string, number]> = [];
    expect(c.expire(10_000, 5_000, (r, at) => expired.push([r, at]))).to.equal(2);
    expect(expired).to.deep.equal([
      ['a', 1_000],
      ['b', 2_000],
    ]);
    expect(c.shiftRequest()).to.equal('c');
    c.pushRequest('no time');
    expect(c.expire(1e15, 1)).to.equal(0);
  });

  it('rejects a bad maxPending', () => {
    expect(() => new PipelinedCorrelator({ maxPending: 1.5 })).to.throw(RangeError);
  });
});
