/**
 * Micro-benchmark of the publisher pipeline: events/s through a client with
 * two real processors (drop_fields per client, add_fields global) and the
 * memory queue into the real `discard` and `file` outputs. The peer in the
 * same run is the floor: a bare client that serializes each event with
 * JSON.stringify and writes each batch with fs.writeSync, doing nothing else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BenchLogger, benchInfo, benchProcessors, makeEvent } from './common.js';
import {
  MetricsRegistry,
  Pipeline,
  defaultOutputRegistry,
  type Batch,
  type OutputClient,
  type OutputGroup,
  type QueueSettings,
} from '@packetbeat-ts/libbeat';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The floor for the file output: one JSON line per event (`@timestamp`
 * first), one fs.writeSync per batch, no metadata, no rotation, no codec.
 *
 * Date#toISOString costs about as much as serializing the rest of the event,
 * so it is cached per millisecond: at these rates hundreds of events share one.
 */
class FileLikeClient implements OutputClient {
  private readonly fd: number;
  private lastMs = Number.NaN;
  private lastIso = '';
  bytes = 0;
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w');
  }
  publish(batch: Batch): Promise<void> {
    let out = '';
    for (const e of batch.events) {
      const ms = e.timestamp.getTime();
      if (ms !== this.lastMs) {
        this.lastMs = ms;
        this.lastIso = e.timestamp.toISOString();
      }
      const json = JSON.stringify(e.fields);
      out += json.length > 2 ? `{"@timestamp":"${this.lastIso}",${json.substring(1)}\n` : `{"@timestamp":"${this.lastIso}"}\n`;
    }
    this.bytes += fs.writeSync(this.fd, out);
    batch.ack();
    return RESOLVED;
  }
  close(): Promise<void> {
    fs.closeSync(this.fd);
    return RESOLVED;
  }
  toString(): string {
    return `file(${this.file})`;
  }
}

export interface PipelineBenchCase {
  readonly name: string;
  /** `floor-file` is the bare serialize-and-write peer, not our output. */
  readonly output: 'discard' | 'file' | 'floor-file';
  readonly events: number;
  readonly target: number;
  /** Run the two processors (default true); without them the row isolates the pipeline's own cost. */
  readonly processors?: boolean;
}

export interface PipelineBenchResult {
  readonly name: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly target: number;
  readonly meetsTarget: boolean;
  readonly batches: number;
  readonly heldWaits: number;
  readonly bytesWritten?: number;
  readonly metrics: Record<string, unknown>;
}

export interface PipelineBenchOptions {
  readonly queue: QueueSettings;
  readonly batchSize: number;
  /** Where the file output writes (deleted after the run). */
  readonly dataDir: string;
}

export const DEFAULT_BENCH_OPTIONS: Omit<PipelineBenchOptions, 'dataDir'> = {
  // Beats' defaults: queue.mem.events 3200, flush.min_events 1600, flush.timeout 10s; bulk_max_size 1600.
  queue: { events: 3200, flushMinEvents: 1600, flushTimeoutMs: 10_000 },
  batchSize: 1600,
};

/** Runs one case: publish `events` as fast as the pipeline accepts them, then close it; timed until all are acked. */
export async function runPipelineCase(c: PipelineBenchCase, opts: PipelineBenchOptions): Promise<PipelineBenchResult> {
  const file = path.join(opts.dataDir, `pipeline-${c.name}.ndjson`);
  const registry = new MetricsRegistry();
  const floorClient = c.output === 'floor-file' ? new FileLikeClient(file) : undefined;
  const outputDir = path.join(opts.dataDir, `out-${c.name}`);
  let output: OutputGroup;
  if (floorClient !== undefined) {
    output = { clients: [floorClient], batchSize: opts.batchSize, maxRetries: 3, backoff: { initMs: 1000, maxMs: 60_000 } };
  } else {
    const factory = defaultOutputRegistry().get(c.output);
    if (factory === undefined) throw new Error(`no ${c.output} output`);
    const settings = c.output === 'file' ? { path: outputDir, filename: 'bench', rotate_every_kb: 1_048_576, number_of_files: 7, permissions: '0600', rotate_on_startup: true, codec: { json: { pretty: false, escape_html: false, local_time: false }, format: { string: '' } } } : {};
    const group = await factory.create(settings, { beat: benchInfo, logger: new BenchLogger(`output.${c.output}`), metrics: registry.scope('libbeat.output') });
    output = { ...group, batchSize: opts.batchSize };
  }
  const processors = c.processors === false ? { client: [], global: [] } : benchProcessors();
  // drop_fields runs as the client's processor and add_fields as a global
  // one, so the deletes remove the objects' last-added properties. Deleting
  // any other property moves the object to V8's dictionary mode and costs
  // ~0.5-1 us per event (3x slower overall here): a processor cost, not the
  // pipeline's; the `discard-no-processors` row shows the pipeline alone.
  const pipeline = new Pipeline({
    queue: opts.queue,
    output,
    processors: processors.global,
    metrics: registry,
    logger: new BenchLogger('publisher'),
  });

  const total = c.events;
  let acked = 0;
  const client = pipeline.connect({
    processors: processors.client,
    onAck: (n) => {
      acked += n;
    },
  });

  let heldWaits = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < total; i++) {
    if (client.publish(makeEvent(i)) === 'held') {
      heldWaits++;
      await client.waitForSpace();
    }
  }
  // Closing hands out the tail at once instead of waiting for flush.timeout,
  // and resolves once everything is acknowledged.
  const closed = await pipeline.close(60_000);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (acked !== total || closed.dropped !== 0) {
    throw new Error(`bench ${c.name}: ${acked} of ${total} events acknowledged, ${closed.dropped} dropped`);
  }

  const metrics = Object.fromEntries(registry.flat('libbeat'));
  const written = registry.flat().get('libbeat.output.write.bytes');
  const bytesWritten = floorClient?.bytes ?? (typeof written === 'number' ? written : undefined);
  fs.rmSync(file, { force: true });
  fs.rmSync(outputDir, { recursive: true, force: true });
  const eventsPerSecond = Math.round(total / seconds);
  const result: PipelineBenchResult = {
    name: c.name,
    events: total,
    seconds: Number(seconds.toFixed(3)),
    eventsPerSecond,
    target: c.target,
    meetsTarget: eventsPerSecond >= c.target,
    batches: Number(metrics['libbeat.output.events.batches'] ?? 0),
    heldWaits,
    metrics,
  };
  return bytesWritten === undefined ? result : { ...result, bytesWritten };
}

export const PIPELINE_CASES: readonly PipelineBenchCase[] = [
  { name: 'discard', output: 'discard', events: 2_000_000, target: 1_000_000 },
  { name: 'file', output: 'file', events: 1_000_000, target: 200_000 },
  { name: 'floor-file (peer)', output: 'floor-file', events: 1_000_000, target: 0 },
  { name: 'discard-no-processors', output: 'discard', events: 2_000_000, target: 1_000_000, processors: false },
];
