import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { openCaptureFile } from '../../src/capture/capture-file.js';
import { LinkType } from '../../src/capture/packet-sink.js';
import { dumpFileName, openPcapWriter } from '../../src/capture/pcap-writer.js';
import { bytes, CollectSink, tempDir } from './capture-builders.js';

describe('pcap writer (--dump)', () => {
  let dir = '';
  let cleanup: () => void = () => {};
  before(() => {
    ({ dir, cleanup } = tempDir());
  });
  after(() => cleanup());

  for (const nanosecond of [true, false]) {
    it(`round-trips packets through a ${nanosecond ? 'nanosecond' : 'microsecond'} pcap`, () => {
      const file = path.join(dir, `rt-${nanosecond}.pcap`);
      const w = openPcapWriter(file, LinkType.LINUX_SLL2, { nanosecond, bufferSize: 4096 });
      const backing = Buffer.alloc(70000);
      const written: Array<{ data: Buffer; origLen: number; sec: number; nsec: number }> = [];
      for (let i = 0; i < 500; i++) {
        const len = 1 + ((i * 977) % 9000);
        const data = bytes(len, i);
        const off = (i * 13) % 1000;
        data.copy(backing, off); // write from a view into a larger buffer
        const nsec = (i * 1234567) % 1_000_000_000;
        w.write(backing, off, len, len + (i % 3), 1700000000 + i, nanosecond ? nsec : nsec - (nsec % 1000));
        written.push({ data, origLen: len + (i % 3), sec: 1700000000 + i, nsec: nanosecond ? nsec : nsec - (nsec % 1000) });
      }
      w.close();
      w.close();
      expect(w.packets).to.equal(500);
      const head = readFileSync(file).subarray(0, 24);
      expect(head.readUInt32LE(0)).to.equal(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
      expect(head.readUInt32LE(20)).to.equal(LinkType.LINUX_SLL2);

      const r = openCaptureFile(file);
      const sink = new CollectSink();
      while (r.readBatch(sink, 64) > 0) {
        /* read on */
      }
      r.close();
      expect(r.damage).to.equal(undefined);
      expect(sink.got).to.have.length(500);
      sink.got.forEach((g, i) => {
        const want = written[i]!;
        expect(g.data.equals(want.data), `packet ${i}`).to.be.true;
        expect([g.origLen, g.sec, g.nsec, g.linkType]).to.deep.equal([want.origLen, want.sec, want.nsec, LinkType.LINUX_SLL2]);
      });
    });
  }

  it('cuts packets to its snaplen and keeps the original length', () => {
    const file = path.join(dir, 'snap.pcap');
    const w = openPcapWriter(file, LinkType.ETHERNET, { snaplen: 100 });
    w.packet(bytes(300), 0, 300, 300, 1, 2, LinkType.ETHERNET);
    w.close();
    const r = openCaptureFile(file);
    const sink = new CollectSink();
    r.readBatch(sink, 10);
    r.close();
    expect(sink.got.map((g) => [g.capLen, g.origLen, g.sec, g.nsec])).to.deep.equal([[100, 300, 1, 2]]);
    expect(() => w.write(bytes(1), 0, 1, 1, 0, 0)).to.throw(/closed/);
  });

  it('names dump files as Packetbeat does: <prefix>-<YYYYMMDDhhmmss>.pcap in local time', () => {
    expect(dumpFileName('/tmp/trace', new Date(2024, 0, 2, 3, 4, 5))).to.equal('/tmp/trace-20240102030405.pcap');
    expect(dumpFileName('x', new Date(1999, 11, 31, 23, 59, 59))).to.equal('x-19991231235959.pcap');
  });
});
