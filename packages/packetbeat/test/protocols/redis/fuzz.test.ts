import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_MESSAGE_SIZE } from '../../../src/protocols/redis/config.js';
import { command, harness } from './harness.js';

const word = fc.string({ minLength: 0, maxLength: 12 });

/** Valid RESP replies of every RESP2/RESP3 type, some nested. */
const reply: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    word.map((s) => `+${s.replace(/[\r\n]/g, '')}\r\n`),
    word.map((s) => `-ERR ${s.replace(/[\r\n]/g, '')}\r\n`),
    fc.integer().map((n) => `:${n}\r\n`),
    word.map((s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`),
    fc.constantFrom('$-1\r\n', '*-1\r\n', '_\r\n', '#t\r\n', ',1.5\r\n', '(12345678901234567890\r\n', '=7\r\ntxt:abc\r\n', '$?\r\n;2\r\nab\r\n;0\r\n'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `*${items.length}\r\n${items.join('')}`),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `>${items.length}\r\n${items.join('')}`),
    fc.array(fc.tuple(tie('value') as fc.Arbitrary<string>, tie('value') as fc.Arbitrary<string>), { maxLength: 2 }).map((kv) => `%${kv.length}\r\n${kv.map(([k, v]) => k + v).join('')}`),
  ),
})).value;

const request = fc.oneof(
  fc.array(word, { minLength: 1, maxLength: 5 }).map((args) => command(...args)),
  fc.array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 4 }).map((args) => `${args.join(' ')}\r\n`),
  fc.constantFrom(command('SUBSCRIBE', 'a', 'b'), command('UNSUBSCRIBE'), command('MULTI'), command('EXEC')),
);

interface Mutation {
  readonly kind: 'flip' | 'insert' | 'delete';
  readonly at: number;
  readonly byte: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom('flip', 'insert', 'delete'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });

function mutate(bytes: Buffer, ms: readonly Mutation[]): Buffer {
  let b = bytes;
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'flip') {
      b = Buffer.from(b);
      b[at] = m.byte;
    } else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([m.byte]), b.subarray(at)]);
    else b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
  }
  return b;
}

/** Cuts `b` into chunks at the given (sorted, deduplicated) positions. */
function chunks(b: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (b.length === 0 ? 0 : c % b.length)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev) out.push(b.subarray(prev, p));
    prev = p;
  }
  out.push(b.subarray(prev));
  return out.filter((c) => c.length > 0);
}

describe('redis plugin: fuzz', function () {
  this.timeout(120_000);

  it('mutated and re-chunked traffic: no exception, bounded time and memory, sane transactions', () => {
    const queueMaxMessages = 8;
    const queueMaxBytes = 512;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.oneof(request, reply)), { minLength: 1, maxLength: 12 }),
        fc.array(mutation, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        (messages, mutations, cuts, gapAtEnd) => {
          const h = harness({ queue_max_messages: queueMaxMessages, queue_max_bytes: queueMaxBytes });
          const started = Date.now();
          let t = 1_000_000;
          for (const [fromClient, text] of messages) {
            const bytes = mutate(Buffer.from(text, 'utf8'), mutations);
            for (const c of chunks(bytes, cuts)) {
              h.at((t += 10)).send(fromClient ? 0 : 1, c);
              expect(h.state.pending).to.be.at.most(queueMaxMessages);
              expect(h.state.queuedBytes).to.be.at.most(queueMaxBytes);
              expect(h.state.bufferedBytes).to.be.at.most(2 * MAX_MESSAGE_SIZE);
            }
          }
          if (gapAtEnd) h.gap(1, 10);
          h.at(t + 60_000_000).expire();
          h.close();
          expect(Date.now() - started).to.be.below(1000);
          expect(h.state.pending).to.equal(0);
          for (const tx of h.reported) {
            expect(tx.status === 'OK' || tx.status === 'Error').to.equal(true);
            expect(tx.method).to.be.a('string');
            expect(tx.requestBytes).to.be.a('number').above(0);
            expect(tx.responseBytes).to.be.a('number').above(0);
            // (A garbled reply may have started before its request: only check both times are packet times.)
            expect(tx.start).to.be.at.least(1_000_000);
            expect(tx.end).to.be.a('number').at.least(1_000_000);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('random bytes in both directions: no exception, nothing buffered beyond the caps', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 200 })), { maxLength: 20 }), (segments) => {
        const h = harness({ queue_max_messages: 4 });
        for (const [dir, data] of segments) h.send(dir ? 0 : 1, data);
        expect(h.state.pending).to.be.at.most(4);
        expect(h.state.bufferedBytes).to.be.at.most(2 * MAX_MESSAGE_SIZE);
        h.close();
      }),
      { numRuns: 5000 },
    );
  });

  it('a large value in many small segments decodes in linear time', () => {
    const h = harness();
    const big = 'x'.repeat(4 * 1024 * 1024);
    h.req(command('get', 'big'));
    const started = Date.now();
    h.resp(`$${big.length}\r\n${big}\r\n`, 1460);
    const many = `*100000\r\n${':1\r\n'.repeat(100_000)}`;
    h.req(command('lrange', 'l', '0', '-1'));
    h.resp(many, 1460);
    expect(Date.now() - started).to.be.below(5000);
    expect(h.reported.map((t) => t.responseBytes)).to.deep.equal([big.length + 2 + String(big.length).length + 3, many.length]);
  });

  it('deep nesting and long inline lines are refused, not buffered without bound', () => {
    const h = harness();
    h.req(command('get', 'a'));
    h.resp('*1\r\n'.repeat(1000));
    expect(h.counters['parse_errors']).to.equal(1);
    h.req('x'.repeat(70 * 1024));
    expect(h.counters['parse_errors']).to.equal(2);
    expect(h.state.bufferedBytes).to.equal(0);
  });
});
