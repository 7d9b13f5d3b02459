import { expect } from 'chai';
import { StreamBuffer } from '../src/stream-buffer.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const text = (b: Uint8Array): string => String.fromCharCode(...b);

describe('protocol-sdk: StreamBuffer', () => {
  it('appends, peeks, views and consumes', () => {
    const sb = new StreamBuffer();
    expect(sb.available).to.equal(0);
    expect(sb.append(bytes('GET / HTTP/1.1\r\n'))).to.be.true;
    expect(sb.append(bytes('Host: x\r\n\r\n'))).to.be.true;
    expect(sb.available).to.equal(27);
    expect(text(sb.peek(3))).to.equal('GET');
    expect(text(sb.peek(1000))).to.equal('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    sb.consume(4);
    expect(text(sb.view())).to.equal('/ HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(text(sb.slice(2, 6))).to.equal('HTTP');
    sb.consume(1000);
    expect(sb.available).to.equal(0);
    expect(sb.view().length).to.equal(0);
  });

  it('copies appended data (the caller may reuse its buffer)', () => {
    const sb = new StreamBuffer();
    const chunk = bytes('abc');
    sb.append(chunk);
    chunk[0] = 0x7a;
    expect(text(sb.view())).to.equal('abc');
    const copy = sb.copy(2);
    sb.consume(3);
    sb.append(bytes('xyz'));
    expect(text(copy)).to.equal('ab');
  });

  it('finds bytes, byte sequences and strings (CRLF) from an offset', () => {
    const sb = new StreamBuffer();
    sb.append(bytes('xxA\r\nB\r\n'));
    sb.consume(2);
    expect(sb.indexOf('\r\n')).to.equal(1);
    expect(sb.indexOf('\r\n', 2)).to.equal(4);
    expect(sb.indexOf('\r\n', 5)).to.equal(-1);
    expect(sb.indexOf(0x42)).to.equal(3);
    expect(sb.indexOf(0x78)).to.equal(-1); // consumed bytes are not searched
    expect(sb.indexOf(bytes('B\r\n'))).to.equal(3);
    expect(sb.indexOf(bytes('B\r\nC'))).to.equal(-1);
    expect(sb.indexOf('\r\n\r\n')).to.equal(-1);
  });

  it('does not find a sequence that only starts within the data', () => {
    const sb = new StreamBuffer();
    sb.append(bytes('abc\r'));
    expect(sb.indexOf('\r\n')).to.equal(-1);
    sb.append(bytes('\n'));
    expect(sb.indexOf('\r\n')).to.equal(3);
  });

  it('reads integers in network order by default, or little-endian', () => {
    const sb = new StreamBuffer();
    sb.append(Uint8Array.of(0xff, 0x01, 0x02, 0x03, 0x04, 0xfe, 0xdc, 0xba, 0x98));
    sb.consume(1);
    expect(sb.readUInt8(0)).to.equal(0x01);
    expect(sb.readUInt16(0)).to.equal(0x0102);
    expect(sb.readUInt16(0, true)).to.equal(0x0201);
    expect(sb.readUInt32(0)).to.equal(0x01020304);
    expect(sb.readUInt32(0, true)).to.equal(0x04030201);
    expect(sb.readUInt32(4)).to.equal(0xfedcba98);
    expect(sb.readUInt32(4, true)).to.equal(0x98badcfe);
    expect(() => sb.readUInt32(5)).to.throw(RangeError, /beyond the 8 available/);
    expect(() => sb.readUInt8(-1)).to.throw(RangeError);
  });

  it('reads strings as latin1 or utf8', () => {
    const sb = new StreamBuffer();
    sb.append(Uint8Array.of(0x41, 0xe9, 0xc3, 0xa9));
    expect(sb.readString(0, 2)).to.equal('A\u00e9');
    expect(sb.readString(2, 2, 'utf8')).to.equal('\u00e9');
  });

  it('refuses an append beyond maxBytes and counts it, without throwing', () => {
    const sb = new StreamBuffer({ maxBytes: 8, initialCapacity: 4 });
    expect(sb.append(bytes('12345'))).to.be.true;
    expect(sb.append(bytes('6789'))).to.be.false;
    expect(sb.available).to.equal(5);
    expect(sb.overflows).to.equal(1);
    expect(sb.droppedBytes).to.equal(4);
    sb.consume(2);
    expect(sb.append(bytes('678'))).to.be.true;
    expect(text(sb.view())).to.equal('345678');
    expect(sb.capacity).to.be.at.most(8);
  });

  it('compacts instead of growing when the consumed head makes room', () => {
    const sb = new StreamBuffer({ initialCapacity: 16 });
    for (let i = 0; i < 1000; i++) {
      sb.append(bytes('abcd'));
      sb.consume(3);
    }
    // 1000 rounds each leaving one byte: 1000 bytes live, so the buffer grew to fit them, no more.
    expect(sb.available).to.equal(1000);
    expect(sb.capacity).to.be.at.most(2048);
    sb.clear();
    for (let i = 0; i < 10_000; i++) {
      sb.append(bytes('abcdefgh'));
      sb.consume(8 - (i === 0 ? 1 : 0));
    }
    expect(sb.available).to.equal(1);
    expect(sb.capacity).to.be.at.most(16);
  });

  it('keeps the data intact across growth and compaction', () => {
    const sb = new StreamBuffer({ initialCapacity: 8 });
    let expected = '';
    let n = 0;
    for (let i = 0; i < 500; i++) {
      const chunk = `<${i}>`;
      sb.append(bytes(chunk));
      expected += chunk;
      if (i % 3 === 0) {
        const k = Math.min(sb.available, 5 + (i % 7));
        sb.consume(k);
        expected = expected.slice(k);
        n++;
      }
    }
    expect(n).to.be.greaterThan(0);
    expect(text(sb.view())).to.equal(expected);
  });

  it('keeps a small allocation once emptied (no allocation per packet), lets a large one go', () => {
    const sb = new StreamBuffer();
    sb.append(Uint8Array.of(1, 2, 3));
    expect(sb.capacity).to.equal(256);
    sb.consume(3);
    expect(sb.capacity).to.equal(256);
    sb.append(new Uint8Array(3000));
    expect(sb.capacity).to.equal(4096);
    sb.consume(3000);
    expect(sb.capacity).to.equal(0);
  });

  it('lets go of a large allocation when emptied, and clear() keeps the counters', () => {
    const sb = new StreamBuffer({ maxBytes: 1 << 20, initialCapacity: 64 });
    sb.append(new Uint8Array(100_000));
    expect(sb.capacity).to.be.at.least(100_000);
    sb.consume(100_000);
    expect(sb.capacity).to.equal(0);
    sb.append(new Uint8Array(2 << 20));
    sb.append(Uint8Array.of(1, 2));
    sb.clear();
    expect(sb.available).to.equal(0);
    expect(sb.overflows).to.equal(1);
  });

  it('validates its options and consume() lengths', () => {
    expect(() => new StreamBuffer({ maxBytes: 0 })).to.throw(RangeError);
    expect(() => new StreamBuffer({ initialCapacity: -1 })).to.throw(RangeError);
    expect(() => new StreamBuffer().consume(-1)).to.throw(RangeError);
  });
});
