import { expect } from 'chai';
import fc from 'fast-check';
import { decodeDnsMessage } from '../../../src/protocols/dns/decoder.js';
import { dnsDocument, dnsToString } from '../../../src/protocols/dns/render.js';
import { harness, msg, name, tcpFrame, u16, u32, type Rr } from './harness.js';

/** Valid messages to start mutating from: every record type the decoder renders. */
const SEEDS: Uint8Array[] = [
  msg({ id: 1 }),
  msg({
    id: 2,
    response: true,
    answers: [
      { name: 'www.example.com', type: 1, rdata: [1, 2, 3, 4] },
      { name: 'www.example.com', type: 28, rdata: Array.from({ length: 16 }, (_, i) => i) },
      { name: 'www.example.com', type: 5, rdata: name('x.example.com') },
      { name: 'example.com', type: 15, rdata: [...u16(5), ...name('mx.example.com')] },
      { name: 'example.com', type: 16, rdata: [3, 97, 98, 99, 1, 0] },
      { name: '_s._tcp.example.com', type: 33, rdata: [...u16(1), ...u16(2), ...u16(3), ...name('t.example.com')] },
    ],
    authorities: [{ name: 'example.com', type: 6, rdata: [...name('ns.example.com'), ...name('h.example.com'), ...u32(1), ...u32(2), ...u32(3), ...u32(4), ...u32(5)] }],
    additionals: [{ name: '.', type: 41, class: 4096, ttl: 0x8000, rdata: [...u16(10), ...u16(8), 1, 2, 3, 4, 5, 6, 7, 8, ...u16(8), ...u16(8), 0, 1, 24, 0, 10, 1, 2, 0] }],
  }),
  msg({
    id: 3,
    response: true,
    answers: [
      { name: 'example.com', type: 43, rdata: [...u16(1), 8, 2, 1, 2, 3] },
      { name: 'example.com', type: 48, rdata: [...u16(257), 3, 8, 1, 2] },
      { name: 'example.com', type: 46, rdata: [...u16(1), 8, 2, ...u32(1), ...u32(2), ...u32(3), ...u16(4), ...name('example.com'), 9] },
      { name: 'example.com', type: 47, rdata: [...name('a.example.com'), 0, 1, 0x40] },
      { name: 'example.com', type: 50, rdata: [1, 0, 0, 1, 1, 0xaa, 2, 1, 2, 0, 1, 0x40] },
      { name: 'example.com', type: 257, rdata: [0, 5, ...Buffer.from('issuex')] },
      { name: 'example.com', type: 65, rdata: [0, 1, 0, 0, 1, 0, 3, 2, 104, 50] },
    ] as Rr[],
  }),
];

const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'set'), fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
  )
  .map(([seed, ops]) => {
    const b = [...seed];
    for (const [op, at, v] of ops) {
      const i = b.length === 0 ? 0 : at % b.length;
      if (op === 'flip' && b.length > 0) b[i] = (b[i]! ^ (1 << (v % 8))) & 0xff;
      else if (op === 'insert') b.splice(i, 0, v);
      else if (op === 'delete') b.splice(i, 1);
      else if (b.length > 0) b[i] = v;
    }
    return Uint8Array.from(b);
  });

const anyMessage = fc.oneof(mutated, fc.uint8Array({ maxLength: 600 }));

describe('dns plugin: fuzz', function () {
  this.timeout(120_000);

  it('the decoder and renderer never throw and return quickly on mutated and random messages', function () {
    fc.assert(
      fc.property(anyMessage, (bytes) => {
        const t0 = performance.now();
        const m = decodeDnsMessage(bytes);
        if (m !== undefined) {
          dnsDocument(m, true, true);
          dnsToString(m);
        }
        expect(performance.now() - t0).to.be.below(200);
      }),
      { numRuns: 5000 },
    );
  });

  it('UDP: random/mutated datagrams in both directions: no exception, each transaction reported at most once (max_pending_queries 8)', function () {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(0 as const, 1 as const), anyMessage), { maxLength: 30 }), (datagrams) => {
        const h = harness({ max_pending_queries: 8 });
        for (const [dir, d] of datagrams) {
          h.now += 1000;
          h.udp(dir, d);
        }
        h.expire(Number.POSITIVE_INFINITY);
        // Every query seen is reported exactly once in the end (paired, evicted or expired).
        expect(h.reported.length).to.be.at.most(datagrams.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('TCP: framed mutated messages split into random chunks; buffers never exceed one message', function () {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0 as const, 1 as const), fc.oneof(mutated.map(tcpFrame), fc.uint8Array({ maxLength: 300 }))), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 10 }),
        (streams, cuts) => {
          const h = harness();
          let c = 0;
          for (const [dir, bytes] of streams) {
            for (let i = 0; i < bytes.length; ) {
              const n = cuts[c++ % cuts.length]!;
              const t0 = performance.now();
              h.tcp(dir, bytes.subarray(i, i + n));
              expect(performance.now() - t0).to.be.below(200);
              i += n;
              const s = h.tcpState();
              expect(s.buffers[0].available).to.be.at.most(65537);
              expect(s.buffers[1].available).to.be.at.most(65537);
            }
          }
          h.expire(Number.POSITIVE_INFINITY);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
