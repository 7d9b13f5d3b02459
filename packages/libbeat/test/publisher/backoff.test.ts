import { expect } from 'chai';
import { Backoff } from '../../src/publisher/backoff.js';

describe('publisher/Backoff', () => {
  it('doubles from initMs up to maxMs, with equal jitter in [d/2, d]', () => {
    const low = new Backoff({ initMs: 100, maxMs: 1000 }, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => low.nextDelay())).to.deep.equal([50, 100, 200, 400, 500, 500]);
    const high = new Backoff({ initMs: 100, maxMs: 1000 }, () => 1);
    expect([1, 2, 3, 4, 5].map(() => high.nextDelay())).to.deep.equal([100, 200, 400, 800, 1000]);
    const mid = new Backoff({ initMs: 100, maxMs: 1000 }, () => 0.5);
    expect(mid.nextDelay()).to.equal(75);
  });

  it('reset() starts over at initMs', () => {
    const b = new Backoff({ initMs: 10, maxMs: 1000 }, () => 1);
    b.nextDelay();
    b.nextDelay();
    expect(b.step).to.equal(40);
    b.reset();
    expect(b.step).to.equal(10);
    expect(b.nextDelay()).to.equal(10);
  });

  it('a maxMs below initMs is raised to initMs', () => {
    const b = new Backoff({ initMs: 50, maxMs: 10 }, () => 1);
    expect([b.nextDelay(), b.nextDelay()]).to.deep.equal([50, 50]);
  });

  it('wait() resolves true after the delay', async () => {
    const b = new Backoff({ initMs: 20, maxMs: 20 }, () => 1);
    const start = Date.now();
    expect(await b.wait()).to.equal(true);
    expect(Date.now() - start).to.be.at.least(15);
  });

  it('cancel() ends a pending wait with false, and every later wait at once', async () => {
    const b = new Backoff({ initMs: 60_000, maxMs: 60_000 });
    const start = Date.now();
    const pending = b.wait();
    b.cancel();
    expect(await pending).to.equal(false);
    expect(await b.wait()).to.equal(false);
    expect(Date.now() - start).to.be.below(1000);
  });
});
