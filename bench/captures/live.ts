/**
 * Live capture on `lo`: our packetbeat (live source, redis on 6379, the
 * file output, queue.mem.flush.timeout 50ms, flows off) while
 * `redis-benchmark` sends a fixed number of `SET pbts:live:<level>:<key>`
 * commands to the shared Redis at several load levels. The share of those
 * commands that came out as transactions is the measure; kernel drops come
 * from `packetbeat.capture.dropped` when the capture source reports it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorText, readStatusKb, run, stopChild, waitFor, waitForStable } from './proc.js';
import { deleteRedisKeys, type Progress } from './record.js';
import { packetbeatNodeFlags, totalMetrics, type Tools } from './suite.js';

export interface LiveLevel {
  readonly name: string;
  readonly clients: number;
  readonly pipeline: number;
  readonly requests: number;
}

export const LIVE_LEVELS: readonly LiveLevel[] = [
  { name: 'c1', clients: 1, pipeline: 1, requests: 20_000 },
  { name: 'c20', clients: 20, pipeline: 1, requests: 100_000 },
  { name: 'c20-P16', clients: 20, pipeline: 16, requests: 400_000 },
];

export const QUICK_LIVE_LEVELS: readonly LiveLevel[] = [
  { name: 'c1', clients: 1, pipeline: 1, requests: 5_000 },
  { name: 'c20', clients: 20, pipeline: 1, requests: 30_000 },
  { name: 'c20-P16', clients: 20, pipeline: 16, requests: 100_000 },
];

export interface LiveResult {
  readonly level: string;
  readonly command: string;
  readonly requests: number;
  /** requests/s redis-benchmark reported. */
  readonly achievedRps?: number;
  /** Our transactions for these requests (lines of the file output naming the level's keys). */
  readonly transactions?: number;
  readonly sharePct?: number;
  /** Packets our capture saw. */
  readonly packets?: number;
  /** `packetbeat.capture.dropped` (kernel drops), when reported. */
  readonly kernelDrops?: number;
  /** `packetbeat.transactions.dropped`: transactions the full publisher queue dropped (drop_if_full). */
  readonly queueDrops?: number;
  readonly peakRssMb?: number;
  readonly skipped?: string;
  readonly note?: string;
}

const PREFIX = 'pbts:live:';

function liveConfig(outDir: string): string {
  return [
    'packetbeat.interfaces.device: lo',
    'packetbeat.protocols:',
    '  - type: redis',
    '    ports: [6379]',
    'packetbeat.flows.enabled: false',
    'queue.mem.flush.timeout: 50ms',
    'output.file:',
    `  path: ${JSON.stringify(outDir)}`,
    '  filename: events',
    '  rotate_every_kb: 100000000',
    '  number_of_files: 2',
    'logging.to_stderr: true',
    'logging.to_files: false',
    '',
  ].join('\n');
}

function countMatching(dir: string, needle: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const f of fs.readdirSync(dir)) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) if (line.includes(needle)) n++;
  }
  return n;
}

function dirBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

/** Best effort: the keys are small and namespaced. */
async function deleteKeys(prefix: string): Promise<void> {
  await deleteRedisKeys(prefix).catch(() => undefined);
}

async function runLevel(tools: Tools, level: LiveLevel): Promise<LiveResult> {
  const rb = tools.redisBenchmark;
  const key = `${PREFIX}${level.name}:__rand_int__`;
  const command = `redis-benchmark -c ${level.clients} -P ${level.pipeline} -n ${level.requests} -r 1000000000 SET ${key} <32 bytes>`;
  if (rb === undefined) return { level: level.name, command, requests: level.requests, skipped: 'redis-benchmark not installed (apt-get install redis-tools)' };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pbts-live-'));
  const outDir = path.join(home, 'out');
  const cfg = path.join(home, 'packetbeat.yml');
  fs.writeFileSync(cfg, liveConfig(outDir));
  // Spawned directly (not under GNU time, which ignores the SIGINT that
  // stops packetbeat); peak RSS is VmHWM read from /proc before stopping.
  const child = spawn(tools.node, [...packetbeatNodeFlags(tools.packetbeat), tools.packetbeat, '-c', cfg, '--path.home', home, '-e'], { cwd: home, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-512 * 1024);
  });
  let exited = false;
  child.once('close', () => {
    exited = true;
  });
  try {
    // Ready once the source logs that it captures; a source that does not say so gets 3 s.
    const said = await waitFor(() => exited || /capturing on|capture started|listening on/i.test(stderr), 15_000);
    if (exited) {
      const why = stderr.split('\n').find((l) => l.startsWith('Exiting')) ?? stderr.trim().split('\n').pop() ?? 'exited';
      return { level: level.name, command, requests: level.requests, skipped: `packetbeat live capture did not start: ${why.slice(0, 300)}` };
    }
    if (!said) await sleep(3000);
    await sleep(300);
    const out = await run(rb, ['-h', '127.0.0.1', '-p', '6379', '-c', String(level.clients), '-P', String(level.pipeline), '-n', String(level.requests), '-r', '1000000000', '-q', 'SET', key, 'x'.repeat(32)]);
    const rps = /([\d.]+) requests per second/.exec(out.stdout.replace(/\r/g, '\n'));
    // Let the capture and the output catch up: the file stops growing.
    await waitForStable(() => dirBytes(outDir), { everyMs: 250, stableChecks: 4, timeoutMs: 120_000 });
    const hwmKb = readStatusKb(child.pid, 'VmHWM');
    await stopChild(child, 'SIGINT', 30_000);
    const metrics = totalMetrics(stderr);
    const transactions = countMatching(outDir, `${PREFIX}${level.name}:`);
    const peakRssMb = hwmKb === undefined ? undefined : Number((hwmKb / 1024).toFixed(1));
    const dropKey = metrics === undefined ? undefined : Object.keys(metrics).find((k) => /(^|\.)capture\.dropped$/.test(k));
    const drops = dropKey === undefined ? undefined : metrics?.[dropKey];
    const packets = metrics?.['packetbeat.packets.total'];
    const queueDrops = metrics?.['packetbeat.transactions.dropped'];
    return {
      level: level.name,
      command,
      requests: level.requests,
      ...(rps === null ? {} : { achievedRps: Math.round(Number(rps[1])) }),
      transactions,
      sharePct: Number(((100 * transactions) / level.requests).toFixed(2)),
      ...(packets === undefined ? {} : { packets }),
      ...(drops === undefined ? {} : { kernelDrops: drops }),
      ...(queueDrops === undefined ? {} : { queueDrops }),
      ...(peakRssMb === undefined ? {} : { peakRssMb }),
      ...(drops === undefined ? { note: 'packetbeat.capture.dropped not reported by this capture source' } : {}),
    };
  } catch (err) {
    return { level: level.name, command, requests: level.requests, skipped: `live run failed: ${errorText(err)}` };
  } finally {
    await stopChild(child, 'SIGKILL', 1000);
    fs.rmSync(home, { recursive: true, force: true });
    await deleteKeys(`${PREFIX}${level.name}:`);
  }
}

export async function runLiveSuite(tools: Tools, levels: readonly LiveLevel[], progress: Progress): Promise<LiveResult[]> {
  const results: LiveResult[] = [];
  for (const level of levels) {
    progress(`live: lo, redis-benchmark ${level.name} (${level.requests.toLocaleString('en-US')} SETs) with packetbeat-ts capturing …`);
    const r = await runLevel(tools, level);
    if (r.skipped !== undefined) progress(`live: ${level.name}: ${r.skipped}`);
    results.push(r);
    // Without a working capture source the other levels fail the same way.
    if (r.skipped !== undefined && r.skipped.startsWith('packetbeat live capture did not start')) {
      for (const l of levels.slice(levels.indexOf(level) + 1)) results.push({ level: l.name, command: '', requests: l.requests, skipped: r.skipped });
      break;
    }
  }
  return results;
}
