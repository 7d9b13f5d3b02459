import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { BeatError, ErrorCodes } from '@packetbeat-ts/libbeat';
import { openCaptureFile, type CaptureDamage, type CaptureFileReader } from '../../src/capture/capture-file.js';
import type { PcapngReader } from '../../src/capture/pcapng-reader.js';
import { LinkType } from '../../src/capture/packet-sink.js';
import { bytes, CollectSink, Ng, pcapFile, tempDir, units, type PcapRec } from './capture-builders.js';

function readAll(r: CaptureFileReader, batch = 1000): CollectSink {
  const sink = new CollectSink();
  while (r.readBatch(sink, batch) > 0) {
    /* keep reading */
  }
  return sink;
}

describe('capture files: hand-built pcap and pcapng', () => {
  let dir = '';
  let cleanup: () => void = () => {};
  before(() => {
    ({ dir, cleanup } = tempDir());
  });
  after(() => cleanup());

  const put = (name: string, content: Buffer): string => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  const recs: PcapRec[] = [
    { sec: 1700000000, frac: 1, data: bytes(60, 1) },
    { sec: 1700000001, frac: 999999, data: bytes(1514, 2), origLen: 1514 },
    { sec: 1700000002, frac: 500000, data: bytes(96, 3), origLen: 1200 },
  ];

  describe('pcap', () => {
    for (const le of [true, false]) {
      it(`reads a ${le ? 'little' : 'big'}-endian microsecond pcap`, () => {
        const file = put(`us-${le}.pcap`, pcapFile({ le, linkType: LinkType.LINUX_SLL }, recs));
        const r = openCaptureFile(file);
        expect(r.format).to.equal('pcap');
        expect(r.linkType).to.equal(LinkType.LINUX_SLL);
        const got = readAll(r).got;
        r.close();
        expect(got).to.have.length(3);
        got.forEach((g, i) => {
          const rec = recs[i]!;
          expect(g.data.equals(rec.data)).to.be.true;
          expect(g.capLen).to.equal(rec.data.length);
          expect(g.origLen).to.equal(rec.origLen ?? rec.data.length);
          expect(g.sec).to.equal(rec.sec);
          expect(g.nsec).to.equal(rec.frac * 1000);
          expect(g.linkType).to.equal(LinkType.LINUX_SLL);
        });
        expect(r.damage).to.equal(undefined);
        expect(r.done).to.be.true;
      });

      it(`reads a ${le ? 'little' : 'big'}-endian nanosecond pcap`, () => {
        const nsRecs = [
          { sec: 1, frac: 999999999, data: bytes(42) },
          { sec: 2, frac: 123456789, data: bytes(43) },
        ];
        const file = put(`ns-${le}.pcap`, pcapFile({ le, ns: true, linkType: LinkType.RAW }, nsRecs));
        const r = openCaptureFile(file);
        const got = readAll(r).got;
        r.close();
        expect(got.map((g) => [g.sec, g.nsec, g.linkType])).to.deep.equal([
          [1, 999999999, LinkType.RAW],
          [2, 123456789, LinkType.RAW],
        ]);
      });
    }

    it('carries a record over chunk boundaries with a tiny read size, and batches as asked', () => {
      const many: PcapRec[] = [];
      for (let i = 0; i < 200; i++) many.push({ sec: 1000 + i, frac: i, data: bytes(1 + ((i * 37) % 300), i) });
      const file = put('many.pcap', pcapFile({}, many));
      const r = openCaptureFile(file, { chunkSize: 100 });
      const sink = new CollectSink();
      const counts: number[] = [];
      for (let n = r.readBatch(sink, 7); n > 0; n = r.readBatch(sink, 7)) counts.push(n);
      expect(counts.slice(0, -1).every((n) => n === 7)).to.be.true;
      expect(counts.reduce((a, b) => a + b, 0)).to.equal(200);
      expect(r.packets).to.equal(200);
      sink.got.forEach((g, i) => expect(g.data.equals(many[i]!.data)).to.be.true);
      r.close();
    });

    it('stops before packets later than `until` and peeks the next timestamp', () => {
      const file = put('until.pcap', pcapFile({}, recs));
      const r = openCaptureFile(file);
      expect(r.peekNextTimestamp()).to.be.true;
      expect([r.nextTsSec, r.nextTsNsec]).to.deep.equal([1700000000, 1000]);
      const sink = new CollectSink();
      expect(r.readBatch(sink, 100, 1700000001, 999999000)).to.equal(2);
      expect(r.done).to.be.false;
      expect([r.nextTsSec, r.nextTsNsec]).to.deep.equal([1700000002, 500000000]);
      expect(r.readBatch(sink, 100, 1700000001, 999999999)).to.equal(0);
      expect(r.done).to.be.false;
      expect(r.readBatch(sink, 100)).to.equal(1);
      expect(r.readBatch(sink, 100)).to.equal(0);
      expect(r.done).to.be.true;
      expect(r.peekNextTimestamp()).to.be.false;
      r.close();
    });

    it('rewinds for another loop, and reads nothing after close', () => {
      const file = put('rewind.pcap', pcapFile({}, recs));
      const r = openCaptureFile(file);
      expect(readAll(r).got).to.have.length(3);
      r.rewind();
      expect(r.done).to.be.false;
      expect(readAll(r, 1).got).to.have.length(3);
      r.close();
      r.close();
      expect(r.readBatch(new CollectSink(), 10)).to.equal(0);
    });

    const full = pcapFile({}, recs);
    const rec2 = 24 + 16 + 60 + 16 + 1514; // offset of the third record
    for (const [what, cut, reason] of [
      ['a record header', rec2 + 9, /truncated record header/],
      ['a record body', rec2 + 16 + 50, /truncated record body/],
    ] as const) {
      it(`delivers the packets before a file cut in the middle of ${what}, then reports the offset`, () => {
        const file = put(`cut-${cut}.pcap`, full.subarray(0, cut));
        const seen: CaptureDamage[] = [];
        const r = openCaptureFile(file, { chunkSize: 256, onDamage: (d) => seen.push(d) });
        const got = readAll(r, 1).got;
        r.close();
        expect(got).to.have.length(2);
        expect(r.damage?.offset).to.equal(rec2);
        expect(r.damage?.reason).to.match(reason);
        expect(r.damage?.message).to.contain(file).and.contain(`offset ${rec2}`);
        expect(seen).to.have.length(1);
      });
    }

    it('treats an absurd captured length as damage (over twice the snaplen, or over 256 KiB)', () => {
      const r1 = openCaptureFile(put('absurd-snap.pcap', pcapFile({ snaplen: 25 }, recs.slice(0, 1))));
      expect(readAll(r1).got).to.have.length(0);
      expect(r1.damage?.offset).to.equal(24);
      expect(r1.damage?.reason).to.match(/absurd captured length 60 \(snaplen 25\)/);
      r1.close();
      const huge = Buffer.from(full);
      huge.writeUInt32LE(300000, rec2 + 8);
      const r2 = openCaptureFile(put('absurd.pcap', huge));
      expect(readAll(r2).got).to.have.length(2);
      expect(r2.damage?.offset).to.equal(rec2);
      r2.close();
    });
  });

  describe('not a capture file', () => {
    const expectBeatError = (fn: () => unknown, file: string, re: RegExp): void => {
      try {
        fn();
        expect.fail('no error');
      } catch (err) {
        expect(err).to.be.instanceOf(BeatError);
        const e = err as BeatError;
        expect(e.code).to.equal(ErrorCodes.CONFIG_INVALID);
        expect(e.message).to.contain(file).and.match(re);
        expect(e.file).to.equal(file);
      }
    };
    it('rejects a text file', () => {
      const file = put('notes.txt', Buffer.from('hello, this is not a capture\n'));
      expectBeatError(() => openCaptureFile(file), file, /not a pcap or pcapng capture file: unknown magic/);
    });
    it('rejects an empty file', () => {
      const file = put('empty.pcap', Buffer.alloc(0));
      expectBeatError(() => openCaptureFile(file), file, /empty/);
    });
    it('rejects a pcap cut inside its file header', () => {
      const file = put('short.pcap', pcapFile({}, []).subarray(0, 10));
      expectBeatError(() => openCaptureFile(file), file, /header is cut short/);
    });
    it('rejects a missing file', () => {
      const file = path.join(dir, 'missing.pcap');
      expectBeatError(() => openCaptureFile(file), file, /cannot open/);
    });
    it('rejects a directory', () => {
      expectBeatError(() => openCaptureFile(dir), dir, /not a regular file/);
    });
  });

  describe('pcapng', () => {
    const le = new Ng(true);
    const be = new Ng(false);

    it('reads two interfaces with different link types and timestamp resolutions, skipping unknown blocks', () => {
      const content = Buffer.concat([
        le.shb(),
        le.idb(LinkType.ETHERNET, 65535), // default 10^-6
        le.unknown(4, 40), // name resolution
        le.idb(LinkType.RAW, 262144, { tsresol: 9, tsoffset: 100n }), // ns, +100 s
        le.idb(LinkType.LINUX_SLL2, 0, { tsresol: 0x80 | 20 }), // 2^-20 s
        le.epb(0, units(1700000000, 250000000, 1_000_000n), bytes(60, 1)),
        le.unknown(5, 28), // interface statistics
        le.epb(1, units(1700000000, 123456789, 1_000_000_000n), bytes(61, 2), 1500),
        le.unknown(0x40000bad, 8), // custom
        le.epb(2, BigInt(1700000000) * 2n ** 20n + 2n ** 19n, bytes(62, 3)),
        le.unknown(0x0000000a, 16), // decryption secrets
      ]);
      const file = put('two-if.pcapng', content);
      const r = openCaptureFile(file);
      expect(r.format).to.equal('pcapng');
      const got = readAll(r).got;
      expect(r.damage).to.equal(undefined);
      expect(r.linkType).to.equal(LinkType.ETHERNET);
      r.close();
      expect(got.map((g) => [g.linkType, g.sec, g.nsec, g.capLen, g.origLen])).to.deep.equal([
        [LinkType.ETHERNET, 1700000000, 250000000, 60, 60],
        [LinkType.RAW, 1700000100, 123456789, 61, 1500],
        [LinkType.LINUX_SLL2, 1700000000, 500000000, 62, 62],
      ]);
      expect(got[1]!.data.equals(bytes(61, 2))).to.be.true;
    });

    it('computes exact times for large timestamps and unusual resolutions', () => {
      const cases: Array<[number, bigint, number, number]> = [
        // tsresol byte, units per second, sec, nsec
        [9, 1_000_000_000n, 4000000000, 999999999],
        // 64 bits of picoseconds last only 213 days
        [12, 1_000_000_000_000n, 10000000, 123456789],
        [3, 1000n, 1700000000, 999000000],
        [0x80 | 30, 2n ** 30n, 1700000000, 500000000],
        [0x80 | 9, 2n ** 9n, 1700000000, 1953125],
      ];
      const blocks: Buffer[] = [le.shb()];
      cases.forEach(([res]) => blocks.push(le.idb(LinkType.ETHERNET, 65535, { tsresol: res })));
      cases.forEach(([, per, sec, nsec], i) => blocks.push(le.epb(i, units(sec, nsec, per), bytes(20, i))));
      const r = openCaptureFile(put('resol.pcapng', Buffer.concat(blocks)));
      const got = readAll(r).got;
      r.close();
      expect(got.map((g) => [g.sec, g.nsec])).to.deep.equal(cases.map(([, , sec, nsec]) => [sec, nsec]));
    });

    it('agrees with BigInt arithmetic on random 64-bit timestamps in every resolution', () => {
      const resols = [6, 9, 3, 0, 12, 15, 0x80 | 10, 0x80 | 16, 0x80 | 20, 0x80 | 30, 0x80 | 32, 0x80 | 40];
      const perSec = resols.map((r) => (r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r)));
      let seed = 12345;
      const rnd32 = (): bigint => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const a = seed;
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return BigInt(((a >>> 16) * 65536 + (seed >>> 16)) >>> 0);
      };
      const blocks: Buffer[] = [le.shb()];
      resols.forEach((r) => blocks.push(le.idb(LinkType.ETHERNET, 65535, { tsresol: r, tsoffset: -5n })));
      const want: Array<[number, number]> = [];
      for (let i = 0; i < 3000; i++) {
        const ifId = i % resols.length;
        const per = perSec[ifId]!;
        // the top word spread over its range, including values near 2^21 and 2^32
        const hi = i % 5 === 0 ? BigInt(0x1fffff + (i % 3)) : i % 7 === 0 ? 0xffffffffn : rnd32();
        const ts = (hi << 32n) | rnd32();
        blocks.push(le.epb(ifId, ts, bytes(1, i)));
        want.push([Number(ts / per) - 5, Number(((ts % per) * 1_000_000_000n) / per)]);
      }
      const r = openCaptureFile(put('random-ts.pcapng', Buffer.concat(blocks)));
      const got = readAll(r).got;
      r.close();
      expect(r.damage).to.equal(undefined);
      expect(got.map((g) => [g.sec, g.nsec])).to.deep.equal(want);
    });

    it('reads simple packet blocks from the first interface, cut to its snaplen', () => {
      const content = Buffer.concat([
        le.shb(),
        le.idb(LinkType.ETHERNET, 100),
        le.idb(LinkType.RAW, 0),
        le.epb(1, units(10, 5000, 1_000_000n), bytes(30)),
        le.spb(bytes(80, 4), 80),
        le.spb(bytes(100, 5), 1400), // block holds 100 bytes of a 1400-byte packet
        le.spb(bytes(130, 6), 130), // longer than snaplen 100
      ]);
      const r = openCaptureFile(put('spb.pcapng', content));
      const got = readAll(r).got;
      r.close();
      expect(r.damage).to.equal(undefined);
      expect(got.map((g) => [g.linkType, g.capLen, g.origLen, g.sec, g.nsec])).to.deep.equal([
        [LinkType.RAW, 30, 30, 10, 5000],
        [LinkType.ETHERNET, 80, 80, 10, 5000],
        [LinkType.ETHERNET, 100, 1400, 10, 5000],
        [LinkType.ETHERNET, 100, 130, 10, 5000],
      ]);
      expect(got[3]!.data.equals(bytes(130, 6).subarray(0, 100))).to.be.true;
    });

    it('reads obsolete packet blocks', () => {
      const content = Buffer.concat([le.shb(), le.idb(LinkType.NULL, 65535), le.pb(0, units(5, 7000, 1_000_000n), bytes(44))]);
      const r = openCaptureFile(put('pb.pcapng', content));
      const got = readAll(r).got;
      r.close();
      expect(got.map((g) => [g.linkType, g.capLen, g.sec, g.nsec])).to.deep.equal([[LinkType.NULL, 44, 5, 7000]]);
    });

    it('reads several sections of different byte order, each with its own interfaces', () => {
      const content = Buffer.concat([
        be.shb(),
        be.idb(LinkType.ETHERNET, 65535),
        be.epb(0, units(100, 1000, 1_000_000n), bytes(50, 1)),
        le.shb(),
        le.idb(LinkType.LINUX_SLL, 65535, { tsresol: 9 }),
        le.epb(0, units(200, 2, 1_000_000_000n), bytes(51, 2)),
        be.shb(),
        be.idb(LinkType.IPV6, 65535),
        be.unknown(5, 12),
        be.epb(0, units(300, 3000, 1_000_000n), bytes(52, 3)),
      ]);
      const r = openCaptureFile(put('sections.pcapng', content), { chunkSize: 64 });
      const got = readAll(r, 1).got;
      expect(r.damage).to.equal(undefined);
      expect((r as PcapngReader).sections).to.equal(3);
      r.close();
      expect(got.map((g) => [g.linkType, g.sec, g.nsec, g.capLen])).to.deep.equal([
        [LinkType.ETHERNET, 100, 1000, 50],
        [LinkType.LINUX_SLL, 200, 2, 51],
        [LinkType.IPV6, 300, 3000, 52],
      ]);
      got.forEach((g, i) => expect(g.data.equals(bytes(50 + i, i + 1))).to.be.true);
    });

    it('skips a large unknown block without reading it', () => {
      const content = Buffer.concat([le.shb(), le.idb(1, 65535), le.unknown(0xbad, 3 * 1024 * 1024), le.epb(0, 5n, bytes(70))]);
      const r = openCaptureFile(put('bigskip.pcapng', content), { chunkSize: 4096 });
      const got = readAll(r).got;
      r.close();
      expect(r.damage).to.equal(undefined);
      expect(got).to.have.length(1);
    });

    const head = Buffer.concat([le.shb(), le.idb(1, 65535), le.epb(0, 1n, bytes(60))]);
    const third = le.epb(0, 2n, bytes(90));
    for (const [what, cut, reason] of [
      ['a block header', 6, /truncated block header/],
      ['a block body', 40, /truncated block/],
    ] as const) {
      it(`delivers the packets before a pcapng cut in the middle of ${what}, then reports the offset`, () => {
        const file = put(`cut-${cut}.pcapng`, Buffer.concat([head, third.subarray(0, cut)]));
        const r = openCaptureFile(file, { chunkSize: 64 });
        const got = readAll(r, 1).got;
        r.close();
        expect(got).to.have.length(1);
        expect(r.damage?.offset).to.equal(head.length);
        expect(r.damage?.reason).to.match(reason);
      });
    }

    it('treats a corrupt block length, an undeclared interface and a truncated skipped block as damage', () => {
      const badLen = Buffer.from(third);
      badLen.writeUInt32LE(13, 4);
      const undeclared = le.epb(5, 1n, bytes(10));
      const cutUnknown = le.unknown(0xbad, 200).subarray(0, 100);
      for (const [tail, re] of [
        [Buffer.concat([badLen, third]), /invalid block length 13/],
        [Buffer.concat([undeclared, third]), /undeclared interface 5/],
        [cutUnknown, /truncated block \(type 0xbad/],
      ] as const) {
        const r = openCaptureFile(put('bad.pcapng', Buffer.concat([head, tail])));
        const got = readAll(r).got;
        r.close();
        expect(got, re.source).to.have.length(1);
        expect(r.damage?.reason).to.match(re);
        expect(r.damage?.offset, re.source).to.equal(head.length);
      }
    });

    it('rejects a pcapng whose section header has no byte-order magic', () => {
      const bad = Buffer.from(le.shb());
      bad.writeUInt32LE(0x12345678, 8);
      const file = put('bom.pcapng', bad);
      expect(() => openCaptureFile(file)).to.throw(BeatError, /byte-order magic/);
    });
  });
});
