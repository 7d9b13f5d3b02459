import type { CommonProtocolConfig, ProtocolContext, Transaction } from '@packetbeat-ts/protocol-sdk';

/** A plugin context for driving an analyzer directly: a settable packet clock, collected transactions and counters, a silent log. */
export interface RecordingContext<C> {
  readonly ctx: ProtocolContext<C>;
  readonly reported: Transaction[];
  readonly counters: Record<string, number>;
  /** What `ctx.now()` reads (µs of packet time); set `clock.now` to move time. */
  readonly clock: { now: number };
}

export function recordingContext<C>(config: C & CommonProtocolConfig, clock: { now: number } = { now: 1_000_000 }): RecordingContext<C> {
  const reported: Transaction[] = [];
  const counters: Record<string, number> = {};
  const ctx: ProtocolContext<C> = {
    config,
    now: () => clock.now,
    report: (tx) => void reported.push(tx),
    log: { debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false },
    counter: (name) => ({ inc: (n = 1) => void (counters[name] = (counters[name] ?? 0) + n) }),
  };
  return { ctx, reported, counters, clock };
}
