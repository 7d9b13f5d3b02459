import { expect } from 'chai';
import fc from 'fast-check';
import type { IcmpPacket, Transaction } from '@packetbeat-ts/protocol-sdk';
import { resolveIcmpConfig } from '../../../src/protocols/icmp/config.js';
import { IcmpTracker } from '../../../src/protocols/icmp/tracker.js';
import { transactionEvent } from '../../../src/publish/transaction-event.js';
import { icmp4ErrorQuotingEcho, icmp6ErrorQuotingEcho, icmpMessage, idMessage, neighbor } from './harness.js';

const V4 = ['10.0.0.1', '10.0.0.2', '10.0.0.254', '224.0.0.1', '255.255.255.255'];
const V6 = ['::1', '::2', 'fe80::a', 'fe80::b', 'ff02::1', 'ff02::2', '::'];

/** Valid messages of every kind the tracker treats differently. */
function validMessages(): Uint8Array[] {
  return [
    idMessage(8, 5, 1),
    idMessage(0, 5, 1),
    idMessage(13, 1, 2, 12),
    idMessage(14, 1, 2, 12),
    idMessage(17, 9, 9, 4),
    idMessage(18, 9, 9, 4),
    idMessage(128, 5, 1),
    idMessage(129, 5, 1),
    icmpMessage(10, 0),
    icmpMessage(9, 0, new Array<number>(12).fill(1)),
    icmpMessage(133, 0),
    icmpMessage(134, 0, new Array<number>(12).fill(0)),
    neighbor(135, 'fe80::b'),
    neighbor(136, 'fe80::b'),
    icmp4ErrorQuotingEcho(3, 1, '10.0.0.1', '10.0.0.2', 5, 1),
    icmp4ErrorQuotingEcho(11, 0, '10.0.0.1', '10.0.0.2', 5, 1),
    icmp6ErrorQuotingEcho(1, 0, '::1', '::2', 5, 1),
    icmp6ErrorQuotingEcho(3, 0, '::1', '::2', 5, 1),
    icmpMessage(5, 1, [10, 0, 0, 9]),
  ];
}

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'insert'; at: number; byte: number } | { kind: 'delete'; at: number } | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(message: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  const bytes = [...message];
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + (m.kind === 'insert' ? 1 : 0));
    if (m.kind === 'flip' && bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << m.bit);
    else if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
    else if (m.kind === 'delete') bytes.splice(at, 1);
    else if (m.kind === 'truncate') bytes.length = at;
  }
  return Uint8Array.from(bytes);
}

interface Step {
  readonly v6: boolean;
  readonly src: number;
  readonly dst: number;
  readonly message: Uint8Array;
  readonly dt: number;
  readonly vlan: boolean;
  readonly expire: boolean;
}

const VALID = validMessages();
const step: fc.Arbitrary<Step> = fc.record({
  v6: fc.boolean(),
  src: fc.nat(),
  dst: fc.nat(),
  message: fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.tuple(fc.constantFrom(...VALID), fc.array(mutation, { maxLength: 4 })).map(([m, ms]) => mutate(m, ms)),
    fc.constantFrom(...VALID),
  ),
  dt: fc.integer({ min: -1_000, max: 3_000_000 }),
  vlan: fc.boolean(),
  expire: fc.boolean(),
});

const MAX_PENDING = 8;

describe('icmp plugin: fuzz', function () {
  this.timeout(120_000);

  it('never throws, answers every call quickly, keeps at most max_pending_requests waiting, and emits sane documents', () => {
    let slowest = 0;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const reported: Transaction[] = [];
        const tracker = new IcmpTracker(resolveIcmpConfig({ transaction_timeout: 1_000, max_pending_requests: MAX_PENDING }), {
          report: (tx) => reported.push(tx),
          count: () => undefined,
        });
        let now = 1_000_000;
        // Packet time may step back (dt < 0), several times in a row: the most it fell below an earlier packet.
        let latest = now;
        let mostBack = 0;
        for (const s of steps) {
          now = Math.max(0, now + s.dt);
          latest = Math.max(latest, now);
          mostBack = Math.max(mostBack, latest - now);
          const addrs = s.v6 ? V6 : V4;
          const packet: IcmpPacket = { version: s.v6 ? 6 : 4, source: addrs[s.src % addrs.length]!, destination: addrs[s.dst % addrs.length]!, vlans: s.vlan ? [7] : [], ipBytes: s.message.length + 40 };
          const t0 = performance.now();
          tracker.onMessage(packet, s.message, now);
          if (s.expire) tracker.expire(now);
          slowest = Math.max(slowest, performance.now() - t0);
          expect(tracker.waiting).to.be.at.most(MAX_PENDING);
        }
        tracker.expire(Number.POSITIVE_INFINITY);
        expect(tracker.waiting).to.equal(0);
        for (const tx of reported) {
          expect(['OK', 'Error']).to.include(tx.status);
          expect(Number.isFinite(tx.start)).to.equal(true);
          if (tx.end !== undefined) expect(tx.end).to.be.at.least(tx.start - mostBack);
          const icmp = tx.fields['icmp'] as Record<string, unknown>;
          expect(icmp['request'] ?? icmp['response']).to.not.equal(undefined);
          // The framework can build every document.
          transactionEvent(tx, 'icmp', []);
        }
      }),
      { numRuns: 3000 },
    );
    // Generous: a GC pause on a loaded machine must not fail the run; a hang would.
    expect(slowest, 'slowest call (ms)').to.be.below(250);
  });

  it('a flood of distinct requests stays within the cap', () => {
    const tracker = new IcmpTracker(resolveIcmpConfig({ max_pending_requests: 1000 }), { report: () => undefined, count: () => undefined });
    const packet: IcmpPacket = { version: 4, source: '10.0.0.1', destination: '10.0.0.2', vlans: [], ipBytes: 32 };
    const t0 = performance.now();
    for (let i = 0; i < 200_000; i++) tracker.onMessage(packet, idMessage(8, i >> 16, i & 0xffff), i);
    expect(tracker.waiting).to.equal(1000);
    expect(performance.now() - t0).to.be.below(10_000);
  });
});
