import { expect } from 'chai';
import { KeyedCorrelator, type EvictReason } from '../src/keyed-correlator.js';

describe('protocol-sdk: KeyedCorrelator', () => {
  it('pairs a response with the request under its key', () => {
    const c = new KeyedCorrelator<number, string>();
    c.add(1, 'q1', 100);
    c.add(2, 'q2', 110);
    expect(c.size).to.equal(2);
    expect(c.has(2)).to.be.true;
    expect(c.peek(2)).to.equal('q2');
    expect(c.addedAt(2)).to.equal(110);
    expect(c.take(2)).to.equal('q2');
    expect(c.take(2)).to.equal(undefined);
    expect(c.take(3)).to.equal(undefined);
    expect(c.size).to.equal(1);
  });

  it('reports the older request of a duplicate key as evicted and keeps the newer', () => {
    const evicted: Array<[string, string, EvictReason]> = [];
    const c = new KeyedCorrelator<string, string>({ onEvict: (k, r, why) => evicted.push([k, r, why]) });
    c.add('a', 'first', 1);
    c.add('a', 'second', 2);
    expect(evicted).to.deep.equal([['a', 'first', 'duplicate']]);
    expect(c.size).to.equal(1);
    expect(c.take('a')).to.equal('second');
  });

  it('evicts the oldest when full', () => {
    const evicted: Array<[number, string, EvictReason]> = [];
    const c = new KeyedCorrelator<number, string>({ maxPending: 2, onEvict: (k, r, why) => evicted.push([k, r, why]) });
    c.add(1, 'a', 1);
    c.add(2, 'b', 2);
    c.add(3, 'c', 3);
    expect(evicted).to.deep.equal([[1, 'a', 'capacity']]);
    expect(c.size).to.equal(2);
    expect(c.take(1)).to.equal(undefined);
  });

  it('expires by packet time, oldest first', () => {
    const c = new KeyedCorrelator<number, string>();
    c.add(1, 'a', 1_000);
    c.add(2, 'b', 5_000);
    c.add(3, 'c', 9_000);
    const expired: Array<[number, string, number]> = [];
    expect(c.expire(10_000, 5_000, (k, r, at) => expired.push([k, r, at]))).to.equal(2);
    expect(expired).to.deep.equal([
      [1, 'a', 1_000],
      [2, 'b', 5_000],
    ]);
    expect(c.expire(10_000, 5_000)).to.equal(0);
    expect(c.take(3)).to.equal('c');
  });

  it('a re-added key moves to the back of the expiry order', () => {
    const c = new KeyedCorrelator<number, string>();
    c.add(1, 'a', 1_000);
    c.add(2, 'b', 2_000);
    c.add(1, 'a2', 8_000);
    const expired: number[] = [];
    c.expire(9_000, 5_000, (k) => expired.push(k));
    expect(expired).to.deep.equal([2]);
    expect(c.take(1)).to.equal('a2');
  });

  it('drains everything', () => {
    const c = new KeyedCorrelator<number, string>();
    c.add(1, 'a', 1);
    c.add(2, 'b', 2);
    const seen: string[] = [];
    expect(c.drain((_k, r) => seen.push(r))).to.equal(2);
    expect(seen).to.deep.equal(['a', 'b']);
    expect(c.size).to.equal(0);
  });

  it('rejects a bad maxPending', () => {
    expect(() => new KeyedCorrelator({ maxPending: 0 })).to.throw(RangeError);
  });
});
