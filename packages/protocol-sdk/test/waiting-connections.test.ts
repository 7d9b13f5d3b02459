import { expect } from 'chai';
import { WaitingConnections } from '../src/waiting-connections.js';

class Conn {
  pending = 0;
  get idle(): boolean {
    return this.pending === 0;
  }
}

describe('WaitingConnections', () => {
  it('keeps only connections with something waiting, and forgets them once idle', () => {
    const set = new WaitingConnections<Conn>();
    const a = new Conn();
    const b = new Conn();
    set.touch(a);
    expect(set.size).to.equal(0);
    a.pending = 2;
    b.pending = 1;
    set.touch(a);
    set.touch(b);
    set.touch(a);
    expect(set.size).to.equal(2);
    const visited: Conn[] = [];
    set.expire((c) => {
      visited.push(c);
      if (c === b) c.pending = 0;
    });
    expect(visited).to.deep.equal([a, b]);
    expect(set.size).to.equal(1);
    set.remove(a);
    expect(set.size).to.equal(0);
  });
});
