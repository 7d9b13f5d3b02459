import { expect } from 'chai';
import fc from 'fast-check';
import { parseMessage } from '../../../src/protocols/memcache/parser.js';
import { MAX_PENDING } from '../../../src/protocols/memcache/connection.js';
import { bin, CLIENT, harness, SERVER, u32, u64, udpFrame } from './harness.js';

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** Valid messages of both protocols, both directions, to mutate. */
const SEEDS: Array<{ dir: 0 | 1; data: Uint8Array }> = [
  { dir: CLIENT, data: enc('set k 1 0 5\r\nhello\r\n') },
  { dir: CLIENT, data: enc('get a b c\r\n') },
  { dir: CLIENT, data: enc('cas k 0 0 1 99 noreply\r\nx\r\n') },
  { dir: CLIENT, data: enc('incr c 5\r\nstats slabs\r\nslabs automove 1\r\nlru_crawler crawl all\r\n') },
  { dir: SERVER, data: enc('VALUE a 0 3 7\r\nabc\r\nVALUE b 0 1\r\nz\r\nEND\r\n') },
  { dir: SERVER, data: enc('STAT pid 1\r\nSTAT uptime 5\r\nEND\r\nSTORED\r\n12\r\nCLIENT_ERROR x\r\n') },
  { dir: CLIENT, data: bin({ opcode: 0x01, key: 'k', extras: [...u32(1), ...u32(0)], value: 'value', opaque: 3 }) },
  { dir: CLIENT, data: bin({ opcode: 0x05, key: 'c', extras: [...u64(1), ...u64(0), ...u32(0)], opaque: 4 }) },
  { dir: SERVER, data: bin({ magic: 0x81, opcode: 0x05, opaque: 4, value: Uint8Array.from(u64(1)) }) },
  { dir: SERVER, data: bin({ magic: 0x81, opcode: 0x10, key: 'pid', value: '1', opaque: 5 }) },
  { dir: SERVER, data: bin({ magic: 0x81, opcode: 0x0c, key: 'k', extras: u32(0), value: 'v', opaque: 3, cas: 7 }) },
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(data: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = Buffer.from(data);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'flip' && b.length > 0) b[at % b.length] = m.value;
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
  }
  return b;
}

const message = fc.oneof(
  { weight: 3, arbitrary: fc.record({ seed: fc.nat(SEEDS.length - 1), muts: fc.array(mutation, { maxLength: 4 }) }).map(({ seed, muts }) => {
    const s = SEEDS[seed] as (typeof SEEDS)[number];
    return { dir: s.dir, data: mutate(s.data, muts) };
  }) },
  { weight: 1, arbitrary: fc.record({ dir: fc.constantFrom<0 | 1>(CLIENT, SERVER), data: fc.uint8Array({ maxLength: 64 }) }) },
);

const CAP = 10 * 1024 * 1024;

describe('memcache fuzz', function () {
  this.timeout(120_000);

  it('TCP: mutated messages in random chunks, with gaps: no exception, bounded time and memory', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.integer({ min: 1, max: 100 })),
        fc.boolean(),
        (msgs, chunk, gapAt, parseunknown) => {
          const h = harness({ parseunknown, maxvalues: -1, maxbytespervalue: 16, send_request: true, send_response: true });
          const started = Date.now();
          msgs.forEach((m, i) => {
            h.send(m.dir, m.data, chunk);
            if (gapAt !== null && i === gapAt % msgs.length) h.gap(m.dir, gapAt);
            expect(h.state.buffered).to.be.at.most(2 * CAP);
          });
          h.expire();
          h.close();
          expect(Date.now() - started).to.be.below(2000);
          expect(h.state.pending).to.equal(0);
          for (const tx of h.reported) expect(['OK', 'Error', 'Client Error', 'Server Error']).to.include(tx.status);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('UDP: mutated frames and datagrams: no exception, bounded state', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ m: message, id: fc.integer({ min: 0, max: 3 }), seq: fc.integer({ min: 0, max: 2 }), count: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 12 }),
        (frames) => {
          const h = harness({ udptransactiontimeout: '1s', maxvalues: 1 });
          for (const f of frames) h.datagram(f.m.dir, udpFrame(f.id, f.seq, f.count, f.m.data), 'raw');
          h.expire();
          expect(h.analyzer.udp).to.not.equal(undefined);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('the parser never reads past its input and never loops on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (data, parseUnknown) => {
        const res = parseMessage(data, 0, { parseUnknown, maxValues: -1, maxBytesPerValue: 8 });
        if (res.kind === 'message') {
          expect(res.consumed).to.be.greaterThan(0).and.at.most(data.length);
          expect(res.msg.size).to.equal(res.consumed);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('a client that never reads responses cannot grow the pending queue past its cap', () => {
    const h = harness();
    const many = 'get k\r\n'.repeat(MAX_PENDING * 3);
    h.send(CLIENT, many, 4096);
    expect(h.state.pending).to.be.at.most(MAX_PENDING);
    expect(h.reported).to.have.length(MAX_PENDING * 2);
    expect(h.reported[0]?.notes).to.deep.equal(['Unfinished transaction']);
  });
});
