/**
 * Benchmark of the network outputs: events/s through the publisher pipeline
 * (same processors and queue as bench/pipeline.ts) into the real
 * `elasticsearch`, `redis` and `logstash` outputs, each with its default
 * bulk_max_size, and into `discard` as the peer measured in the same run.
 *
 * - elasticsearch: against the in-process EsTestServer (libbeat/testing).
 * - redis: the Redis at 127.0.0.1:6379, `list` mode into a unique key that is
 *   deleted afterwards; the row is skipped, with its reason, when Redis is
 *   unreachable.
 * - logstash: against the Lumberjack v2 test server of libbeat's tests
 *   (compiled to packages/libbeat/dist/test/...), loaded by a dynamic import.
 *
 * Each row checks that the server received every event.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import {
  MetricsRegistry,
  Pipeline,
  beatFieldsProcessor,
  defaultOutputRegistry,
  type BeatEvent,
  type QueueSettings,
} from '@packetbeat-ts/libbeat';
import { EsTestServer } from '@packetbeat-ts/libbeat/testing';
import { BenchLogger, benchInfo, benchProcessors, makeEvent } from './common.js';

/** What the beat runner adds to every event; the elasticsearch output's default index needs `agent.version`. */
const beatFields = beatFieldsProcessor(benchInfo);
function addBeatFields(event: BeatEvent): void {
  beatFields.run(event);
}

/** What the bench uses of libbeat's Lumberjack test server (test code, not a package export). */
interface LumberjackServerLike {
  readonly host: string;
  readonly events: readonly unknown[];
  close(): Promise<void>;
}
interface LumberjackServerModule {
  readonly LumberjackServer: { start(options?: { port?: number }): Promise<LumberjackServerLike> };
}

async function startLumberjackServer(): Promise<LumberjackServerLike> {
  const here = path.dirname(fileURLToPath(import.meta.url)); // bench/dist
  const file = path.resolve(here, '../../packages/libbeat/dist/test/outputs/logstash/lumberjack-server.js');
  const mod = (await import(pathToFileURL(file).href)) as LumberjackServerModule;
  return mod.LumberjackServer.start();
}

export type NetworkOutput = 'discard' | 'elasticsearch' | 'redis' | 'logstash';

export interface OutputBenchCase {
  readonly name: string;
  readonly output: NetworkOutput;
  readonly events: number;
}

export interface OutputBenchResult {
  readonly name: string;
  readonly output: NetworkOutput;
  readonly events: number;
  /** Events the server reports having received (-1 for discard: no server). */
  readonly received: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** The output's default bulk_max_size, used as the batch size. */
  readonly batchSize: number;
  readonly batches: number;
  readonly bytesWritten?: number;
  /** Why the row was not measured (then the numbers are 0). */
  readonly skipped?: string;
  readonly metrics: Record<string, unknown>;
}

export interface OutputBenchOptions {
  readonly queue: QueueSettings;
  readonly redis: { readonly host: string; readonly port: number };
}

export const DEFAULT_OUTPUT_BENCH_OPTIONS: OutputBenchOptions = {
  // Beats' defaults: queue.mem.events 3200, flush.min_events 1600, flush.timeout 10s.
  queue: { events: 3200, flushMinEvents: 1600, flushTimeoutMs: 10_000 },
  redis: { host: '127.0.0.1', port: 6379 },
};

export const OUTPUT_CASES: readonly OutputBenchCase[] = [
  { name: 'discard (peer)', output: 'discard', events: 200_000 },
  { name: 'elasticsearch (test server)', output: 'elasticsearch', events: 200_000 },
  { name: 'redis (list)', output: 'redis', events: 200_000 },
  { name: 'logstash (test server)', output: 'logstash', events: 200_000 },
];

/** A server to send to: the output settings pointing at it, how many events it holds, and its teardown. */
interface Target {
  readonly settings: Record<string, unknown>;
  received(): Promise<number>;
  close(): Promise<void>;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A plain ioredis connection for the bench's own checks (PING, LLEN, DEL); fails fast when Redis is down. */
function redisAdmin(opts: OutputBenchOptions): { redis: Redis; lastError: () => Error | undefined } {
  const r = new Redis({
    host: opts.redis.host,
    port: opts.redis.port,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let last: Error | undefined;
  r.on('error', (err: Error) => {
    last = err; // reported by the rejected calls
  });
  return { redis: r, lastError: () => last };
}

/** Returns the target, or a reason to skip the row. */
async function startTarget(output: NetworkOutput, opts: OutputBenchOptions): Promise<Target | string> {
  switch (output) {
    case 'discard':
      return { settings: {}, received: () => Promise.resolve(-1), close: () => Promise.resolve() };
    case 'elasticsearch': {
      const es = await EsTestServer.start();
      return { settings: { hosts: [es.url] }, received: () => Promise.resolve(es.count()), close: () => es.close() };
    }
    case 'logstash': {
      const ls = await startLumberjackServer();
      return { settings: { hosts: [ls.host] }, received: () => Promise.resolve(ls.events.length), close: () => ls.close() };
    }
    case 'redis': {
      const { redis: admin, lastError } = redisAdmin(opts);
      try {
        await admin.connect();
        await admin.ping();
      } catch (err) {
        admin.disconnect();
        return `Redis unreachable at ${opts.redis.host}:${opts.redis.port} (${errorText(lastError() ?? err)})`;
      }
      const key = `packetbeat-ts-bench-${process.pid}-${Date.now()}`;
      await admin.del(key);
      return {
        settings: { hosts: [`${opts.redis.host}:${opts.redis.port}`], key, datatype: 'list' },
        received: () => admin.llen(key),
        close: async () => {
          try {
            await admin.del(key);
          } finally {
            admin.disconnect();
          }
        },
      };
    }
  }
}

function skippedResult(c: OutputBenchCase, reason: string): OutputBenchResult {
  return { name: c.name, output: c.output, events: c.events, received: 0, seconds: 0, eventsPerSecond: 0, batchSize: 0, batches: 0, skipped: reason, metrics: {} };
}

/** Runs one case: publish `events` as fast as the pipeline accepts them, then close it; timed until all are acked. */
export async function runOutputCase(c: OutputBenchCase, opts: OutputBenchOptions): Promise<OutputBenchResult> {
  const target = await startTarget(c.output, opts);
  if (typeof target === 'string') return skippedResult(c, target);
  try {
    const registry = new MetricsRegistry();
    const factory = defaultOutputRegistry().get(c.output);
    if (factory === undefined) throw new Error(`no ${c.output} output`);
    // The output's own defaults, bulk_max_size included.
    const output = await factory.create(target.settings, {
      beat: benchInfo,
      logger: new BenchLogger(`output.${c.output}`),
      metrics: registry.scope('libbeat.output'),
    });
    const processors = benchProcessors();
    const pipeline = new Pipeline({
      queue: opts.queue,
      output,
      processors: processors.global,
      beatFields: addBeatFields,
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
    const start = process.hrtime.bigint();
    for (let i = 0; i < total; i++) {
      if (client.publish(makeEvent(i)) === 'held') await client.waitForSpace();
    }
    const closed = await pipeline.close(120_000);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (acked !== total || closed.dropped !== 0) {
      throw new Error(`bench ${c.name}: ${acked} of ${total} events acknowledged, ${closed.dropped} dropped`);
    }
    const received = await target.received();
    if (received !== -1 && received !== total) {
      throw new Error(`bench ${c.name}: the server received ${received} of ${total} events`);
    }
    const metrics = Object.fromEntries(registry.flat('libbeat'));
    const written = metrics['libbeat.output.write.bytes'];
    const result: OutputBenchResult = {
      name: c.name,
      output: c.output,
      events: total,
      received,
      seconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(total / seconds),
      batchSize: output.batchSize,
      batches: Number(metrics['libbeat.output.events.batches'] ?? 0),
      metrics,
    };
    return typeof written === 'number' && written > 0 ? { ...result, bytesWritten: written } : result;
  } finally {
    await target.close();
  }
}
