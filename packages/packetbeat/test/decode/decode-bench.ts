import { pathToFileURL } from 'node:url';
import { DecodedPacket } from '../../src/decode/decoded-packet.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { hashPacket } from '../../src/decode/ip-text.js';

/**
 * Decoder throughput: `node dist/test/decode/decode-bench.js` (not a test;
 * allocates about 190 MB). Prints packets/s for decode alone, decode plus
 * the flow hash, a hot-cache run and a memory-touch baseline.
 */
// 1,000,000 Ethernet/IPv4/TCP frames back to back (as a pcap read buffer would
// hold them): half 66-byte ACKs with timestamps option, half data segments of
// 100..400 bytes; 1,000 different connections; 1 in 8 with a VLAN tag.
function main(): void {
  const N = 1_000_000;
  const offsets = new Uint32Array(N);
  const lens = new Uint32Array(N);
  let total = 0;
  const sizes: number[] = [];
  for (let i = 0; i < N; i++) {
    const payload = i % 2 === 0 ? 0 : 100 + ((i * 37) % 300);
    const vlan = i % 8 === 0 ? 4 : 0;
    const len = 14 + vlan + 20 + 32 + payload;
    sizes.push(len);
    total += len;
  }
  const buf = Buffer.alloc(total);
  let off = 0;
  for (let i = 0; i < N; i++) {
    const len = sizes[i]!;
    offsets[i] = off;
    lens[i] = len;
    const vlan = i % 8 === 0 ? 4 : 0;
    let p = off + 12;
    if (vlan) {
      buf.writeUInt16BE(0x8100, p);
      buf.writeUInt16BE(100, p + 2);
      p += 4;
    }
    buf.writeUInt16BE(0x0800, p);
    p += 2;
    buf[p] = 0x45;
    buf.writeUInt16BE(len - 14 - vlan, p + 2);
    buf.writeUInt16BE(0x4000, p + 6);
    buf[p + 8] = 64;
    buf[p + 9] = 6;
    buf.writeUInt32BE(0x0a000001, p + 12);
    buf.writeUInt32BE(0x0a000002 + (i % 1000), p + 16);
    p += 20;
    buf.writeUInt16BE(40000 + (i % 1000), p);
    buf.writeUInt16BE(80, p + 2);
    buf.writeUInt32BE(i * 1000, p + 4);
    buf.writeUInt32BE(i, p + 8);
    buf[p + 12] = 8 << 4;
    buf[p + 13] = 0x18;
    buf.writeUInt16BE(501, p + 14);
    off += len;
  }

  const dec = new PacketDecoder();
  const out = new DecodedPacket();
  function pass(mask: number, withHash: boolean): number {
    let sink = 0;
    for (let i = 0; i < N; i++) {
      const j = i & mask;
      const r = dec.decode(buf, offsets[j]!, lens[j]!, lens[j]!, 1700000000 + (i >> 14), 0, 1, out);
      if (r !== null) throw new Error(r);
      sink += out.payloadLength;
      if (withHash) sink ^= hashPacket(out);
    }
    return sink;
  }
  function touch(): number {
    let x = 0;
    for (let i = 0; i < N; i++) {
      const o = offsets[i]!;
      x += buf[o + 12]! + buf[o + 30]! + buf[o + 47]! + buf[o + 50]!;
    }
    return x;
  }
  function measure(name: string, f: () => number, rounds = 8): void {
    const rates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = process.hrtime.bigint();
      f();
      rates.push(N / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e6);
    }
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(`${name.padEnd(44)} best ${sorted.at(-1)!.toFixed(1)}  median ${sorted[rounds >> 1]!.toFixed(1)} M packets/s`);
  }
  measure('decode, 1M distinct frames (183 MB)', () => pass(0xffffffff, false));
  measure('decode + 5-tuple hash, 1M distinct frames', () => pass(0xffffffff, true));
  measure('decode, 4,096 frames repeated (hot cache)', () => pass(4095, false));
  measure('touch 4 header bytes only (memory baseline)', touch);
  const heap0 = process.memoryUsage().heapUsed;
  pass(0xffffffff, false);
  console.log(`heap growth over 1M packets: ${((process.memoryUsage().heapUsed - heap0) / 1024).toFixed(0)} KiB; decoded ${dec.decoded}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
