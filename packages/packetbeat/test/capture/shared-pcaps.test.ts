import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { openCaptureFile } from '../../src/capture/capture-file.js';
import { CollectSink, repoRoot, tempDir, type Got } from './capture-builders.js';
import type { PacketSink } from '../../src/capture/packet-sink.js';

const requireLive = process.env['REQUIRE_LIVE'] === '1';
const pcapDir = path.resolve(repoRoot(), '../shared/pcaps');

function listCaptures(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listCaptures(p));
    else if (/\.(pcap|pcapng|cap)$/.test(name)) out.push(p);
  }
  return out;
}

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Packet count according to tcpdump (its --count option, else one output line per packet). */
function tcpdumpCount(file: string): number {
  const out = execFileSync('tcpdump', ['--count', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /(\d+) packets?/.exec(out);
  if (m?.[1] !== undefined) return Number(m[1]);
  return execFileSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '').length;
}

function readAll(file: string): { got: Got[]; damage: string | undefined } {
  const r = openCaptureFile(file);
  const sink = new CollectSink();
  while (r.readBatch(sink, 256) > 0) {
    /* read on */
  }
  r.close();
  return { got: sink.got, damage: r.damage?.message };
}

describe('capture files: the shared pcaps', function () {
  this.timeout(120_000); // one tcpdump / editcap process per file
  if (!existsSync(pcapDir)) {
    it('skipped: no shared pcaps', function () {
      console.log(`    (skipped: ${pcapDir} is absent)`);
      if (requireLive) expect.fail(`${pcapDir} is absent and REQUIRE_LIVE=1`);
      this.skip();
    });
    return;
  }
  const files = listCaptures(pcapDir);
  const tcpdump = hasTool('tcpdump');

  it('finds capture files', () => {
    expect(files.length).to.be.greaterThan(0);
  });

  it('reads every shared capture without damage, with the packet count tcpdump reports', () => {
    if (!tcpdump) {
      console.log('    (tcpdump not installed: packet counts not compared)');
      if (requireLive) expect.fail('tcpdump is not installed and REQUIRE_LIVE=1');
    }
    let total = 0;
    for (const file of files) {
      const { got, damage } = readAll(file);
      expect(damage, file).to.equal(undefined);
      expect(got.length, file).to.be.greaterThan(0);
      if (tcpdump) expect(got.length, file).to.equal(tcpdumpCount(file));
      for (const g of got) {
        expect(g.capLen).to.be.at.most(g.origLen);
        expect(g.nsec).to.be.within(0, 999_999_999);
      }
      total += got.length;
    }
    expect(total).to.be.greaterThan(0);
  });

  it('reads the pcapng made by editcap from a shared pcap with the same packets and timestamps', function () {
    if (!hasTool('editcap')) {
      console.log('    (skipped: editcap not installed; Debian package wireshark-common)');
      if (requireLive) expect.fail('editcap is not installed and REQUIRE_LIVE=1');
      this.skip();
    }
    const { dir, cleanup } = tempDir();
    try {
      const sample = files.filter((f) => statSync(f).size > 2000).slice(0, 5);
      expect(sample.length).to.be.greaterThan(0);
      for (const file of sample) {
        const ng = path.join(dir, path.basename(file) + '.pcapng');
        execFileSync('editcap', ['-F', 'pcapng', file, ng], { stdio: 'ignore' });
        const a = readAll(file);
        const r = openCaptureFile(ng);
        expect(r.format).to.equal('pcapng');
        const sink = new CollectSink();
        while (r.readBatch(sink, 7) > 0) {
          /* read on */
        }
        r.close();
        expect(r.damage, ng).to.equal(undefined);
        expect(sink.got.length, ng).to.equal(a.got.length);
        sink.got.forEach((g, i) => {
          const want = a.got[i]!;
          expect(g.data.equals(want.data), `${ng} packet ${i}`).to.be.true;
          expect([g.origLen, g.sec, g.nsec, g.linkType], `${ng} packet ${i}`).to.deep.equal([want.origLen, want.sec, want.nsec, want.linkType]);
        });
      }
    } finally {
      cleanup();
    }
  });

  it('counts the same packets whatever the batch size (1, 3, 4096)', () => {
    const file = files.find((f) => statSync(f).size > 5000) ?? files[0]!;
    const counts = [1, 3, 4096].map((batch) => {
      const r = openCaptureFile(file, { chunkSize: 512 });
      let n = 0;
      const sink: PacketSink = { packet: () => void n++ };
      while (r.readBatch(sink, batch) > 0) {
        /* read on */
      }
      r.close();
      return n;
    });
    expect(new Set(counts).size).to.equal(1);
  });
});
