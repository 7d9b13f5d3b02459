import type { PacketSink } from '../capture/packet-sink.js';
import type { DecodeDrop } from '../decode/decoded-packet.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import type { PacketEngine } from './engine.js';

/** What the packet sources drive: the engine in this thread, or a pool of worker threads. */
export interface Analysis extends PacketSink {
  /** True while the source should wait (`waitForSpace`) before more packets. */
  readonly backpressure: boolean;
  waitForSpace(): Promise<void>;
  /** Called by a source before it yields to the event loop. */
  flush(): void;
  /** End of the capture: open transactions and flows are reported. */
  finish(): Promise<void>;
  close(): Promise<void>;
  /** For the end-of-file log line. */
  summary(): { tcp: Record<string, number>; decode_drops: Record<DecodeDrop, number> };
}

export function engineAnalysis(engine: PacketEngine): Analysis {
  return {
    packet: (data, offset, capLen, origLen, tsSec, tsNsec, linkType) => engine.packet(data, offset, capLen, origLen, tsSec, tsNsec, linkType),
    get backpressure() {
      return engine.backpressure;
    },
    waitForSpace: () => engine.waitForSpace(),
    flush: () => undefined,
    finish: () => engine.finishPaced(),
    close: () => Promise.resolve(),
    summary: () => ({ tcp: { ...engine.tcp.counters }, decode_drops: engine.decoder.drops }),
  };
}

export function poolAnalysis(pool: WorkerPool): Analysis {
  return {
    packet: (data, offset, capLen, origLen, tsSec, tsNsec, linkType) => pool.packet(data, offset, capLen, origLen, tsSec, tsNsec, linkType),
    get backpressure() {
      return pool.backpressure;
    },
    waitForSpace: () => pool.waitForSpace(),
    flush: () => pool.flush(),
    finish: () => pool.finish(),
    close: () => pool.close(),
    summary: () => ({ tcp: pool.tcpCounters(), decode_drops: pool.decoder.drops }),
  };
}
