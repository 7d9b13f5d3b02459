import { Worker } from 'node:worker_threads';
import { BeatError, EncodedEvent, ErrorCodes, errorMessage, type Counter, type Logger, type MetricsRegistry, type PipelineClient } from '@packetbeat-ts/libbeat';
import type { PacketSink } from '../capture/packet-sink.js';
import { DecodedPacket } from '../decode/decoded-packet.js';
import { PacketDecoder } from '../decode/decoder.js';
import { hashPacket } from '../decode/ip-text.js';
import { EngineClock } from '../engine/engine-clock.js';
import { PacketCounters } from '../engine/packet-counters.js';
import type { EncodedBatch, ForwardedEvent, ForwardedEvents, FromWorker, WorkerSettings } from './messages.js';
import { BatchWriter, recordBytes, RecordKind } from './packet-batch.js';

export interface WorkerPoolOptions {
  readonly workers: number;
  readonly settings: Omit<WorkerSettings, 'index'>;
  /** The protocols' pipeline clients in `packetbeat.protocols` order, then the flows client if flows are on. */
  readonly clients: readonly PipelineClient[];
  /** How many of `clients` are protocols (their events count as transactions). */
  readonly protocolClients: number;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Live capture never waits: packets for a worker that is too far behind are dropped and counted. */
  readonly live: boolean;
}

const BATCH_BYTES = 1 << 20;
/** Batches in flight per worker before a file replay waits. */
const MAX_IN_FLIGHT = 4;
/** …and before live capture drops packets for that worker. */
const LIVE_MAX_IN_FLIGHT = 64;
const RAW_IP = 101;

interface Shard {
  readonly index: number;
  readonly worker: Worker;
  writer: BatchWriter | undefined;
  /** Seq of the first record of the batch being filled. */
  writerFirstSeq: number;
  readonly free: ArrayBuffer[];
  /** First seq of each batch (or finish) sent and not yet answered, oldest first. */
  readonly outstanding: number[];
  /** Events received, in seq order, not yet published: the chunk being published, then those waiting. */
  events: ForwardedEvent[];
  eventPos: number;
  readonly chunks: ForwardedEvent[][];
  metrics: ReadonlyArray<[string, unknown]>;
  finished: (() => void) | undefined;
}

/**
 * `packetbeat.workers` > 1: the coordinator (this thread) decodes each packet
 * (and reassembles IP fragments), keeps the engine clock, and hands the
 * packet to the worker that owns its connection, chosen by a hash of the
 * 5-tuple that is the same in both directions. Each worker runs a whole
 * engine for its share of the connections. Expiry runs are broadcast at the
 * positions a single engine would run them, with the same clock, so each
 * connection is analyzed exactly as in a single-threaded run.
 *
 * Events come back stamped with the record that caused them and are
 * published here, merged into capture order: an event is published once no
 * worker can still produce an earlier one.
 */
export class WorkerPool implements PacketSink {
  readonly decoder = new PacketDecoder();
  private readonly decoded = new DecodedPacket();
  private readonly shards: Shard[];
  private readonly clients: readonly PipelineClient[];
  private readonly protocolClients: number;
  private readonly logger: Logger;
  private readonly live: boolean;
  private readonly counters: PacketCounters;
  private readonly workerDrops: Counter;
  private seq = 0;
  /** The engine clock, kept here for all workers (see EngineClock). */
  private readonly clock = new EngineClock();
  private flushScheduled = false;
  private pipelineHeld = false;
  /** Waiting for a worker to have room; settled by the worker's answer, or rejected when a worker fails. */
  private spaceWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private failure: Error | undefined;
  /** `finish` waiting for the workers' last answers; rejected when a worker fails. */
  private finishRejects: Array<(err: Error) => void> = [];
  private readonly registry: MetricsRegistry;
  private readonly knownMetrics = new Set<string>();

  private constructor(options: WorkerPoolOptions, workers: Worker[]) {
    this.clients = options.clients;
    this.protocolClients = options.protocolClients;
    this.logger = options.logger;
    this.live = options.live;
    this.registry = options.metrics;
    const m = options.metrics.scope('packetbeat');
    this.counters = new PacketCounters(options.metrics);
    this.workerDrops = m.counter('workers.dropped_packets');
    const decoder = this.decoder;
    m.func('decode.drops', () => ({ ...decoder.drops }));
    m.func('workers.count', () => workers.length);
    m.func('workers.active', () => this.shards.filter((s) => s.outstanding.length > 0).length);
    this.shards = workers.map((worker, index) => ({
      index,
      worker,
      writer: undefined,
      writerFirstSeq: 0,
      free: [],
      outstanding: [],
      events: [],
      eventPos: 0,
      chunks: [],
      metrics: [],
      finished: undefined,
    }));
    for (const shard of this.shards) {
      shard.worker.on('message', (message: FromWorker) => this.onMessage(shard, message));
      shard.worker.on('error', (err) => this.fail(new Error(`packetbeat worker ${shard.index} failed: ${errorMessage(err)}`)));
      shard.worker.on('exit', (code) => {
        if (shard.finished !== undefined || this.failure !== undefined) return;
        if (shard.outstanding.length > 0 || code !== 0) this.fail(new Error(`packetbeat worker ${shard.index} exited (${code})`));
      });
    }
  }

  /** Starts the workers and waits until each has loaded its protocols. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let index = 0; index < options.workers; index++) {
      // The same young generation as the main thread's (bin/packetbeat): events die young.
      const worker = new Worker(new URL('./worker-main.js', import.meta.url), {
        workerData: { ...options.settings, index } satisfies WorkerSettings,
        resourceLimits: { maxYoungGenerationSizeMb: 192 },
      });
      workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (message: FromWorker): void => {
            if (message.type === 'ready') resolve();
            else if (message.type === 'failed') reject(new BeatError(ErrorCodes.CONFIG_INVALID, `packetbeat worker ${index} could not start: ${message.message}`));
            else return;
            worker.off('message', onMessage);
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new WorkerPool(options, workers);
  }

  get workerCount(): number {
    return this.shards.length;
  }

  /** True while the replay should wait: a worker is behind, or the pipeline holds events. */
  get backpressure(): boolean {
    return this.pipelineHeld || this.shards.some((s) => s.outstanding.length >= MAX_IN_FLIGHT);
  }

  // ---- PacketSink ---------------------------------------------------------

  packet(data: Buffer, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    this.counters.packets.value++;
    const pkt = this.decoded;
    const drop = this.decoder.decode(data, offset, capLen, origLen, tsSec, tsNsec, linkType, pkt);
    if (drop !== null && drop !== 'unsupported_transport') return;
    if (this.clock.advance(tsSec, tsNsec)) {
      this.clock.expired(this.clock.nowUs);
      const seq = this.seq++;
      for (const shard of this.shards) this.write(shard, seq, RecordKind.EXPIRE, undefined, 0, 0, 0, 0, 0, 0, -1, -1);
    }
    const shard = this.shards[hashPacket(pkt) % this.shards.length] as Shard;
    if (this.live && shard.outstanding.length >= LIVE_MAX_IN_FLIGHT) {
      this.workerDrops.value++;
      return;
    }
    const seq = this.seq++;
    if (pkt.reassembled) {
      const length = this.decoder.fragments?.resultLength ?? 0;
      this.write(shard, seq, RecordKind.PACKET, pkt.data, 0, length, origLen, tsSec, tsNsec, RAW_IP, pkt.vlan0, pkt.vlan1);
    } else {
      this.write(shard, seq, RecordKind.PACKET, data, offset, capLen, origLen, tsSec, tsNsec, linkType, -1, -1);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Sends every partly filled batch now (call before yielding to the event loop). */
  flush(): void {
    for (const shard of this.shards) this.send(shard);
  }

  /** Resolves once every worker has room for more batches and the pipeline accepts events again. */
  async waitForSpace(): Promise<void> {
    this.throwIfFailed();
    while (this.shards.some((s) => s.outstanding.length >= MAX_IN_FLIGHT)) {
      await new Promise<void>((resolve, reject) => {
        this.spaceWaiters.push({ resolve, reject });
      });
    }
    if (this.pipelineHeld) {
      await Promise.all(this.clients.map((c) => c.waitForSpace()));
      this.pipelineHeld = false;
    }
  }

  /** End of the capture: every worker closes its connections and flows; their last events are published. */
  async finish(): Promise<void> {
    this.throwIfFailed();
    this.flush();
    const seq = this.seq++;
    await Promise.all(
      this.shards.map(
        (shard) =>
          new Promise<void>((resolve, reject) => {
            shard.finished = resolve;
            this.finishRejects.push(reject);
            shard.outstanding.push(seq);
            shard.worker.postMessage({ type: 'finish', seq, nowUs: this.clock.nowUs });
          }),
      ),
    );
    this.release();
  }

  /** Stops the workers (after `finish`, or to abandon them). */
  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.worker.terminate()));
  }

  /** The workers' TCP counters, summed (for the end-of-file log line). */
  tcpCounters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const shard of this.shards) {
      for (const [name, value] of shard.metrics) {
        if (name.startsWith('packetbeat.tcp.') && typeof value === 'number') {
          const key = name.slice('packetbeat.tcp.'.length);
          out[key] = (out[key] ?? 0) + value;
        }
      }
    }
    return out;
  }

  // ---- internals ----------------------------------------------------------

  private write(shard: Shard, seq: number, kind: number, data: Uint8Array | undefined, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number, vlan0: number, vlan1: number): void {
    let writer = shard.writer;
    if (writer !== undefined && !writer.fits(capLen)) {
      this.send(shard);
      writer = undefined;
    }
    if (writer === undefined) {
      const need = recordBytes(capLen);
      const reuse = shard.free.pop();
      const buffer = reuse !== undefined && reuse.byteLength >= need ? reuse : new ArrayBuffer(Math.max(BATCH_BYTES, need));
      writer = new BatchWriter(buffer);
      shard.writer = writer;
      shard.writerFirstSeq = seq;
    }
    writer.write(seq, this.clock.nowUs, kind, data, offset, capLen, origLen, tsSec, tsNsec, linkType, vlan0, vlan1);
  }

  private send(shard: Shard): void {
    const writer = shard.writer;
    if (writer === undefined || writer.records === 0) return;
    shard.writer = undefined;
    shard.outstanding.push(shard.writerFirstSeq);
    shard.worker.postMessage({ type: 'batch', buffer: writer.buffer, used: writer.used }, [writer.buffer]);
  }

  private onMessage(shard: Shard, message: FromWorker): void {
    switch (message.type) {
      case 'done':
        shard.outstanding.shift();
        if (shard.free.length < MAX_IN_FLIGHT) shard.free.push(message.buffer);
        if (message.metrics !== undefined) {
          shard.metrics = message.metrics;
          this.registerWorkerMetrics(shard);
        }
        this.receive(shard, message.events);
        this.release();
        if (this.spaceWaiters.length > 0 && !this.shards.some((s) => s.outstanding.length >= MAX_IN_FLIGHT)) {
          const waiters = this.spaceWaiters;
          this.spaceWaiters = [];
          for (const w of waiters) w.resolve();
        }
        break;
      case 'finished':
        shard.outstanding.shift();
        shard.metrics = message.metrics;
        this.registerWorkerMetrics(shard);
        this.receive(shard, message.events);
        shard.finished?.();
        break;
      case 'log': {
        const logger = this.logger.named(message.logger);
        if (message.level === 'debug') logger.debug(message.message, message.fields);
        else if (message.level === 'info') logger.info(message.message, message.fields);
        else if (message.level === 'warn') logger.warn(message.message, message.fields);
        else logger.error(message.message, message.fields);
        break;
      }
      default:
        break;
    }
  }

  private receive(shard: Shard, events: ForwardedEvents): void {
    if (typeof events !== 'string') shard.chunks.push(unpackEncoded(events));
    else if (events !== '') shard.chunks.push(JSON.parse(events) as ForwardedEvent[]);
  }

  /** The shard's next unpublished event, moving on to its next chunk when one is used up. */
  private head(shard: Shard): ForwardedEvent | undefined {
    for (;;) {
      const event = shard.events[shard.eventPos];
      if (event !== undefined) return event;
      const next = shard.chunks.shift();
      if (next === undefined) return undefined;
      shard.events = next;
      shard.eventPos = 0;
    }
  }

  /**
   * Publishes, in seq order, every event no worker can still precede: a
   * worker with batches outstanding may yet report events from the first
   * record it has not answered for.
   */
  private release(): void {
    let bound = Number.POSITIVE_INFINITY;
    for (const shard of this.shards) {
      const first = shard.outstanding[0];
      if (first !== undefined && first < bound) bound = first;
      if (shard.writer !== undefined && shard.writer.records > 0 && shard.writerFirstSeq < bound) bound = shard.writerFirstSeq;
    }
    for (;;) {
      let best: Shard | undefined;
      let bestSeq = bound;
      for (const shard of this.shards) {
        const head = this.head(shard);
        if (head !== undefined && head[0] < bestSeq) {
          best = shard;
          bestSeq = head[0];
        }
      }
      if (best === undefined) return;
      this.publish(best.events[best.eventPos++] as ForwardedEvent);
    }
  }

  private publish([, clientIndex, timestampMs, fields, meta]: ForwardedEvent): void {
    const client = this.clients[clientIndex];
    if (client === undefined) return;
    const timestamp = new Date(timestampMs);
    const event =
      fields instanceof Uint8Array
        ? new EncodedEvent(timestamp, fields, meta === 0 ? undefined : meta)
        : meta === 0
          ? { timestamp, fields }
          : { timestamp, fields, meta };
    const result = client.publish(event);
    if (result === 'held') this.pipelineHeld = true;
    if (clientIndex < this.protocolClients) this.counters.transaction(result);
  }

  /** Each metric a worker reports appears once here, summed over the workers. */
  private registerWorkerMetrics(shard: Shard): void {
    for (const [name] of shard.metrics) {
      if (this.knownMetrics.has(name)) continue;
      this.knownMetrics.add(name);
      this.registry.func(name, () => {
        let total: unknown;
        for (const s of this.shards) for (const [n, value] of s.metrics) if (n === name) total = addMetric(total, value);
        return total;
      });
    }
  }

  private fail(err: Error): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.logger.error(err.message);
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w.reject(err);
    const finishing = this.finishRejects;
    this.finishRejects = [];
    for (const reject of finishing) reject(err);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Sums numbers, and objects key by key; anything else keeps the first value. */
function addMetric(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = addMetric(out[k], v);
    return out;
  }
  return a;
}

/** An encoded batch back to one entry per event; each document is a view of the batch's bytes (no copy). */
function unpackEncoded(batch: EncodedBatch): ForwardedEvent[] {
  const { ends, numbers } = batch;
  const bytes = new Uint8Array(batch.bytes);
  const out = new Array<ForwardedEvent>(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] as number;
    out[i] = [numbers[i * 3] as number, numbers[i * 3 + 1] as number, numbers[i * 3 + 2] as number, bytes.subarray(start, end), 0];
    start = end;
  }
  for (const [i, meta] of batch.metas) {
    const e = out[i];
    if (e !== undefined) e[4] = meta;
  }
  return out;
}
