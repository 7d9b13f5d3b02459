import { expect } from 'chai';
import { TcpStream, seqDiff } from '../../src/tcp/tcp-stream.js';

/** Feeds segments and records what comes out, as text and gap markers. */
function harness(maxBuffered = 1 << 20) {
  const stream = new TcpStream(maxBuffered);
  const out: string[] = [];
  const deliver = (b: Buffer): void => void out.push(b.toString());
  const gap = (n: number): void => void out.push(`<gap ${n}>`);
  const seg = (seq: number, text: string, flags: { syn?: boolean; fin?: boolean } = {}): number =>
    stream.segment(seq >>> 0, flags.syn === true, flags.fin === true, Buffer.from(text), deliver, gap);
  return { stream, out, seg, deliver, gap };
}

describe('tcp stream reassembly', () => {
  it('delivers in-order data after the SYN', () => {
    const h = harness();
    h.seg(1000, '', { syn: true });
    h.seg(1001, 'hello ');
    h.seg(1007, 'world');
    expect(h.out).to.deep.equal(['hello ', 'world']);
    expect(h.stream.nextSeq).to.equal(1012);
  });

  it('buffers out-of-order segments and delivers them in order', () => {
    const h = harness();
    h.seg(1, 'a', { syn: false });
    h.seg(4, 'd');
    h.seg(3, 'c');
    expect(h.out).to.deep.equal(['a']);
    h.seg(2, 'b');
    expect(h.out).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(h.stream.bufferedBytes).to.equal(0);
  });

  it('drops retransmissions and trims overlaps', () => {
    const h = harness();
    h.seg(100, 'abcdef');
    expect(h.seg(100, 'abcdef')).to.equal(6);
    expect(h.seg(103, 'defgh')).to.equal(3);
    expect(h.out).to.deep.equal(['abcdef', 'gh']);
    // An overlapping out-of-order segment is trimmed when drained.
    h.seg(110, 'klm');
    h.seg(108, 'ijkl');
    expect(h.out.join('')).to.equal('abcdefghijklm');
  });

  it('declares a gap when the peer acknowledges bytes that were never captured', () => {
    const h = harness();
    h.seg(1, 'abc');
    h.seg(10, 'xyz');
    h.stream.acknowledged(5, h.deliver, h.gap);
    expect(h.out).to.deep.equal(['abc']);
    h.stream.acknowledged(13, h.deliver, h.gap);
    expect(h.out).to.deep.equal(['abc', '<gap 6>', 'xyz']);
  });

  it('gives up the oldest hole when the buffer cap is passed', () => {
    const h = harness(8);
    h.seg(1, 'a');
    h.seg(5, 'eeee');
    h.seg(20, 'zzzzz');
    expect(h.out).to.deep.equal(['a', '<gap 3>', 'eeee']);
    expect(h.stream.bufferedBytes).to.equal(5);
    h.stream.flush(h.deliver, h.gap);
    expect(h.out.slice(3)).to.deep.equal(['<gap 11>', 'zzzzz']);
  });

  it('knows when everything up to the FIN was delivered', () => {
    const h = harness();
    h.seg(1, 'ab');
    h.seg(5, '', { fin: true });
    expect(h.stream.finished).to.equal(false);
    h.seg(3, 'cd');
    expect(h.stream.finished).to.equal(true);
  });

  it('handles sequence number wrap-around', () => {
    const h = harness();
    h.seg(0xfffffffe, 'ab');
    h.seg(0x00000002, 'de');
    h.seg(0x00000000, 'c?');
    expect(h.out.join('')).to.equal('abc?de');
    expect(seqDiff(2, 0xfffffffe)).to.equal(4);
  });
});
