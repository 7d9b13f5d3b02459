/**
 * Benchmark entry point (`npm run bench`): runs the suites, prints tables,
 * and writes the results as JSON under `<data dir>/results/`.
 *
 *   node bench/dist/run.js [--only=pipeline,outputs,captures,live,profile] [--quick]
 *     [--data-dir=DIR] [--rebuild-corpus] [--captures=mixed,many-flows,...]
 *     [--tshark-packets=N] [--loops=N] [--no-live]
 *     [--discard-events=N] [--file-events=N] [--outputs-events=N] [--no-warmup]
 *     [--profile-capture=mixed]
 *
 * `profile` (a CPU profile of packetbeat-ts → file) runs only when --only names it.
 *
 * The data dir (default `.bench-data/` at the repository root, or
 * $PBTS_BENCH_DATA) caches the capture corpus, which is built on first use.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCorpus, type Corpus } from './captures/corpus.js';
import { LIVE_LEVELS, QUICK_LIVE_LEVELS, runLiveSuite, type LiveResult } from './captures/live.js';
import { captureRows, corpusRows, liveRows, targetChecks, type TargetCheck } from './captures/report.js';
import { errorText } from './captures/proc.js';
import { profileTables, runProfile, type ProfileRun } from './captures/profile.js';
import { findTools, runCaptureSuite, toolVersions, type CaptureSuiteReport, type Tools } from './captures/suite.js';
import { DEFAULT_OUTPUT_BENCH_OPTIONS, OUTPUT_CASES, runOutputCase, type OutputBenchResult } from './outputs.js';
import { DEFAULT_BENCH_OPTIONS, PIPELINE_CASES, runPipelineCase, type PipelineBenchResult } from './pipeline.js';

/** The parts run by default. */
const DEFAULT_PARTS = ['pipeline', 'outputs', 'captures', 'live'] as const;
/** All parts: `profile` takes extra time and runs only when --only names it. */
const PARTS = [...DEFAULT_PARTS, 'profile'] as const;
type Part = (typeof PARTS)[number];

function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg?.slice(prefix.length);
}

function argNumber(name: string, allowZero = false): number | undefined {
  const v = argValue(name);
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !allowZero)) throw new Error(`--${name} wants a ${allowZero ? 'non-negative' : 'positive'} integer`);
  return n;
}

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

const started = Date.now();
function progress(message: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  console.error(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${message}`);
}

function selectedParts(): Set<Part> {
  const only = argValue('only');
  if (only === undefined) return new Set<Part>(flag('no-live') ? DEFAULT_PARTS.filter((p) => p !== 'live') : DEFAULT_PARTS);
  const parts = only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part "${p}" (known: ${PARTS.join(', ')})`);
  const set = new Set(parts as Part[]);
  // The live run belongs to the capture side.
  if (set.has('captures') && !flag('no-live')) set.add('live');
  return set;
}

async function runPipelineBench(quick: boolean): Promise<{ settings: unknown; results: PipelineBenchResult[] }> {
  const scratch = path.join(os.tmpdir(), 'packetbeat-ts-bench');
  fs.mkdirSync(scratch, { recursive: true });
  const opts = { ...DEFAULT_BENCH_OPTIONS, dataDir: scratch };
  const cases = PIPELINE_CASES.map((c) => ({ ...c, events: argNumber(`${c.name}-events`) ?? (quick ? Math.round(c.events / 5) : c.events) }));
  progress('pipeline: publisher pipeline into discard and file …');
  if (!flag('no-warmup')) {
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
    `\npublisher pipeline: queue.mem.events=${opts.queue.events} flush.min_events=${opts.queue.flushMinEvents} ` +
      `bulk_max_size=${opts.batchSize}, 1 output worker, 2 processors (node ${process.version}, ${os.cpus().length} cpus)`,
  );
  console.table(rows);
  return { settings: { queue: opts.queue, batchSize: opts.batchSize }, results };
}

async function runOutputsBench(quick: boolean): Promise<{ settings: unknown; results: OutputBenchResult[] }> {
  // Network outputs, after the pipeline cases: ratios against `discard` in this run.
  const outputEvents = argNumber('outputs-events');
  const outputCases = OUTPUT_CASES.map((c) => ({ ...c, events: outputEvents ?? (quick ? Math.round(c.events / 4) : c.events) }));
  progress('outputs: discard, elasticsearch, redis, logstash …');
  if (!flag('no-warmup')) {
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
    `\nnetwork outputs: queue.mem.events=${DEFAULT_OUTPUT_BENCH_OPTIONS.queue.events} flush.min_events=${DEFAULT_OUTPUT_BENCH_OPTIONS.queue.flushMinEvents} ` +
      `bulk_max_size=each output's default, same 2 processors; elasticsearch and logstash against in-process test servers`,
  );
  console.table(outputRows);
  return { settings: { queue: DEFAULT_OUTPUT_BENCH_OPTIONS.queue, redis: DEFAULT_OUTPUT_BENCH_OPTIONS.redis }, results: outputResults };
}

interface CaptureSide {
  corpus?: { dir: string; mode: string; captures: Corpus['manifest']['captures'] };
  captures?: CaptureSuiteReport & { targets: TargetCheck[]; tsharkPackets: number; loops: number };
  live?: LiveResult[];
}

/** The capture corpus, made (or checked) as `--rebuild-corpus` and `--quick` say. */
function benchCorpus(tools: Tools, dataDir: string, quick: boolean): Promise<Corpus> {
  return ensureCorpus({
    dataDir,
    quick,
    rebuild: flag('rebuild-corpus'),
    tools: tools.tcpdump === undefined ? undefined : { ...tools, tcpdump: tools.tcpdump },
    toolMissing: 'tcpdump not installed (apt-get install tcpdump)',
    progress,
  });
}

async function runCaptureSide(repoRoot: string, dataDir: string, parts: Set<Part>, quick: boolean): Promise<CaptureSide> {
  const tools = findTools(repoRoot);
  const out: CaptureSide = {};
  if (parts.has('captures')) {
    const corpus = await benchCorpus(tools, dataDir, quick);
    out.corpus = { dir: corpus.dir, mode: corpus.manifest.mode, captures: corpus.manifest.captures };
    console.log(`\ncapture corpus (${corpus.manifest.mode}, ${corpus.dir}):`);
    console.table(corpusRows(corpus));
    const tsharkPackets = argNumber('tshark-packets', true) ?? (quick ? 20_000 : 50_000);
    const loops = argNumber('loops') ?? 10;
    const only = argValue('captures');
    const report = await runCaptureSuite(tools, {
      repoRoot,
      corpus,
      captures: only === undefined ? [] : only.split(',').map((s) => s.trim()),
      tsharkPackets,
      loops,
      progress,
    });
    const targets = targetChecks(report, loops);
    out.captures = { ...report, targets, tsharkPackets, loops };
    console.log(
      `\ncapture replay, one process each, ${os.cpus().length} cpus (node ${process.version}; packetbeat-ts as bin/packetbeat runs it: node ${report.nodeFlags.join(' ')}). packetbeat-ts runs are whole runs: ` +
        `start-up and shutdown included (${report.startupSeconds === undefined ? 'n/a' : `${report.startupSeconds.toFixed(2)} s`} on a one-packet capture). ` +
        `→ file and → discard: protocols on, flows off (events = transactions); decode+flow: no protocols, flows on (events = flow events). ` +
        `tshark: -n -T ek to /dev/null, first ${tsharkPackets > 0 ? fmt(tsharkPackets) : 'all'} packets. vs tshark / vs floor: packets/s ratios.`,
    );
    console.table(captureRows(report));
    console.log('\ntargets (per core, pcap replay; judged on whole runs, start-up included; "steady" leaves out start-up):');
    console.table(targets.map((t) => ({ target: t.target, goal: t.goal, measured: t.measured, steady: t.steady ?? '', met: t.met, basis: t.basis })));
  }
  if (parts.has('live')) {
    const levels = quick ? QUICK_LIVE_LEVELS : LIVE_LEVELS;
    const live = await runLiveSuite(tools, levels, progress);
    out.live = live;
    console.log('\nlive capture on lo: packetbeat-ts (redis on 6379, file output, queue.mem.flush.timeout 50ms) while redis-benchmark SETs distinct pbts:live:* keys:');
    console.table(liveRows(live));
  }
  return out;
}

async function runProfileBench(repoRoot: string, dataDir: string, quick: boolean): Promise<ProfileRun> {
  const tools = findTools(repoRoot);
  const corpus = await benchCorpus(tools, dataDir, quick);
  const run = await runProfile({ repoRoot, tools, corpus, capture: argValue('profile-capture') ?? 'mixed', intervalUs: 200, top: 25, progress });
  for (const t of profileTables(run.summary)) {
    console.log(t.title);
    console.table(t.rows);
  }
  return run;
}

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url)); // bench/dist
  const repoRoot = path.resolve(here, '../..');
  const dataDir = path.resolve(argValue('data-dir') ?? process.env.PBTS_BENCH_DATA ?? path.join(repoRoot, '.bench-data'));
  const quick = flag('quick');
  const parts = selectedParts();
  fs.mkdirSync(dataDir, { recursive: true });
  progress(`bench: ${[...parts].join(', ')}${quick ? ' (quick)' : ''}; data dir ${dataDir}`);

  const pipeline = parts.has('pipeline') ? await runPipelineBench(quick) : undefined;
  const outputs = parts.has('outputs') ? await runOutputsBench(quick) : undefined;
  let captureSide: CaptureSide = {};
  let captureError: string | undefined;
  if (parts.has('captures') || parts.has('live')) {
    try {
      captureSide = await runCaptureSide(repoRoot, dataDir, parts, quick);
    } catch (err) {
      captureError = errorText(err);
      console.error(`capture benchmarks failed: ${captureError}`);
      process.exitCode = 1;
    }
  }

  let profile: ProfileRun | undefined;
  let profileError: string | undefined;
  if (parts.has('profile')) {
    try {
      profile = await runProfileBench(repoRoot, dataDir, quick);
    } catch (err) {
      profileError = errorText(err);
      console.error(`profile failed: ${profileError}`);
      process.exitCode = 1;
    }
  }

  const tools = findTools(repoRoot);
  const date = new Date().toISOString();
  const stamp = date.replace(/[:.]/g, '-');
  const resultsDir = path.join(dataDir, 'results');
  const cpuprofile = profile === undefined ? undefined : path.join(resultsDir, `profile-${stamp}.cpuprofile`);
  const report = {
    date,
    quick,
    parts: [...parts],
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    tools: toolVersions(tools),
    ...(pipeline === undefined ? {} : { pipeline }),
    ...(outputs === undefined ? {} : { outputs }),
    ...captureSide,
    ...(captureError === undefined ? {} : { captureError }),
    ...(profile === undefined ? {} : { profile: { ...profile.summary, cpuprofile } }),
    ...(profileError === undefined ? {} : { profileError }),
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  if (profile !== undefined && cpuprofile !== undefined) {
    fs.writeFileSync(cpuprofile, profile.rawProfile);
    progress(`profile: raw profile written to ${cpuprofile} (open it in Chrome DevTools, Performance tab)`);
  }
  const out = path.join(resultsDir, `bench-${stamp}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  fs.writeFileSync(out, json);
  fs.writeFileSync(path.join(resultsDir, 'latest.json'), json);
  progress(`results written to ${out} (and latest.json)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
