/**
 * Benchmark entry point (`npm run bench`): runs the suites, prints a table,
 * and writes JSON results under os.tmpdir().
 *
 *   node bench/dist/run.js [--discard-events=N] [--file-events=N] [--outputs-events=N] [--no-warmup]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_OUTPUT_BENCH_OPTIONS, OUTPUT_CASES, runOutputCase, type OutputBenchResult } from './outputs.js';
import { DEFAULT_BENCH_OPTIONS, PIPELINE_CASES, runPipelineCase, type PipelineBenchResult } from './pipeline.js';

function argNumber(name: string): number | undefined {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  if (arg === undefined) return undefined;
  const n = Number(arg.slice(prefix.length).replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} wants a positive integer`);
  return n;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

async function main(): Promise<void> {
  const dataDir = path.join(os.tmpdir(), 'packetbeat-ts-bench');
  fs.mkdirSync(dataDir, { recursive: true });
  const opts = { ...DEFAULT_BENCH_OPTIONS, dataDir };
  const cases = PIPELINE_CASES.map((c) => ({ ...c, events: argNumber(`${c.name}-events`) ?? c.events }));

  if (!process.argv.includes('--no-warmup')) {
    // Let the JIT settle before measuring.
    for (const c of cases) await runPipelineCase({ ...c, events: 200_000 }, opts);
  }

  const results: PipelineBenchResult[] = [];
  for (const c of cases) results.push(await runPipelineCase(c, opts));

  // Ratios against the peer measured in this run: the bare serialize-and-write floor.
  const floor = results.find((r) => r.name.startsWith('floor-file'));
  const rows = results.map((r) => ({
    bench: `pipeline → ${r.name}`,
    events: fmt(r.events),
    seconds: r.seconds.toFixed(3),
    'events/s': fmt(r.eventsPerSecond),
    'vs floor': floor === undefined ? '' : (r.eventsPerSecond / floor.eventsPerSecond).toFixed(2),
    target: r.target > 0 ? `>= ${fmt(r.target)}` : 'peer',
    ok: r.target > 0 ? (r.meetsTarget ? 'yes' : 'NO') : '',
    batches: fmt(r.batches),
  }));
  console.log(
    `publisher pipeline: queue.mem.events=${opts.queue.events} flush.min_events=${opts.queue.flushMinEvents} ` +
      `bulk_max_size=${opts.batchSize}, 1 output worker, 2 processors (node ${process.version}, ${os.cpus().length} cpus)`,
  );
  console.table(rows);

  // Network outputs, after the pipeline cases: ratios against `discard` in this run.
  const outputEvents = argNumber('outputs-events');
  const outputCases = OUTPUT_CASES.map((c) => ({ ...c, events: outputEvents ?? c.events }));
  if (!process.argv.includes('--no-warmup')) {
    for (const c of outputCases) await runOutputCase({ ...c, events: Math.min(c.events, 50_000) }, DEFAULT_OUTPUT_BENCH_OPTIONS);
  }
  const outputResults: OutputBenchResult[] = [];
  for (const c of outputCases) {
    const r = await runOutputCase(c, DEFAULT_OUTPUT_BENCH_OPTIONS);
    if (r.skipped !== undefined) console.log(`skipped ${r.name}: ${r.skipped}`);
    outputResults.push(r);
  }
  const discard = outputResults.find((r) => r.output === 'discard' && r.skipped === undefined);
  const outputRows = outputResults.map((r) => ({
    bench: `pipeline → ${r.name}`,
    events: fmt(r.events),
    seconds: r.skipped === undefined ? r.seconds.toFixed(3) : '',
    'events/s': r.skipped === undefined ? fmt(r.eventsPerSecond) : 'skipped',
    'vs discard': r.skipped === undefined && discard !== undefined ? (r.eventsPerSecond / discard.eventsPerSecond).toFixed(2) : '',
    received: r.skipped !== undefined ? '' : r.received < 0 ? 'n/a' : r.received === r.events ? 'all' : fmt(r.received),
    bulk_max_size: r.skipped === undefined ? fmt(r.batchSize) : '',
    batches: r.skipped === undefined ? fmt(r.batches) : '',
  }));
  console.log(
    `network outputs: queue.mem.events=${DEFAULT_OUTPUT_BENCH_OPTIONS.queue.events} flush.min_events=${DEFAULT_OUTPUT_BENCH_OPTIONS.queue.flushMinEvents} ` +
      `bulk_max_size=each output's default, same 2 processors; elasticsearch and logstash against in-process test servers`,
  );
  console.table(outputRows);

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().map((c) => c.model)[0] ?? 'unknown',
    cpuCount: os.cpus().length,
    settings: { queue: opts.queue, batchSize: opts.batchSize },
    results,
    outputs: { settings: { queue: DEFAULT_OUTPUT_BENCH_OPTIONS.queue, redis: DEFAULT_OUTPUT_BENCH_OPTIONS.redis }, results: outputResults },
  };
  const out = path.join(dataDir, 'pipeline.json');
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results written to ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
