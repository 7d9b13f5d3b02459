/**
 * Process helpers for the capture benchmarks: finding tools, running a
 * command while measuring its wall time, CPU time and peak RSS, and waiting
 * for files or logs to settle.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where a tool may live besides $PATH (root's sbin directories are not always on it). */
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** The absolute path of `cmd`, or undefined when it is not installed. */
export function which(cmd: string): string | undefined {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : undefined;
  const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const d of dirs) {
    const p = path.join(d, cmd);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The first line of `cmd args` (stdout, else stderr) matching `pattern`, or its first line. */
export function versionOf(cmd: string, args: readonly string[], pattern?: RegExp): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) return undefined;
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const hit = pattern === undefined ? lines[0] : lines.find((l) => pattern.test(l));
  return hit ?? lines[0];
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface Measured {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Measured here, from spawn to exit. */
  readonly wallSeconds: number;
  readonly userSeconds?: number;
  readonly sysSeconds?: number;
  /** Peak resident set size in KiB (GNU time's %M, else VmHWM polled from /proc). */
  readonly peakRssKb?: number;
  /** How the peak RSS was measured. */
  readonly rssMethod: 'time' | 'proc' | 'none';
  /** The command's stderr (and stdout when `stdout: 'pipe'`), last 256 KiB. */
  readonly stderr: string;
  readonly stdout: string;
  /** VmRSS samples when asked for (`sampleRssMs`). */
  readonly rssSamples?: RssSample[];
}

export interface MeasureOptions {
  /** Where the command's stdout goes: discarded to /dev/null (default), or collected. */
  readonly stdout?: 'null' | 'pipe';
  readonly cwd?: string;
  /** Kill the command (SIGKILL) after this long. */
  readonly timeoutMs?: number;
  /** Sample the command's resident set size (VmRSS) every this many ms. */
  readonly sampleRssMs?: number;
}

/** A resident set size sample: seconds since spawn, KiB. */
export interface RssSample {
  readonly t: number;
  readonly kb: number;
}

const KEEP_TAIL = 256 * 1024;

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `cmd args` to completion and measures it. The peak RSS comes from
 * GNU time (`/usr/bin/time -f`) when installed, else from VmHWM polled in
 * /proc every 20 ms (which may miss a peak in the last moments of a run).
 */
export async function measure(cmd: string, args: readonly string[], opts: MeasureOptions = {}): Promise<Measured> {
  const useTime = isExecutable(GNU_TIME);
  const timeFile = path.join(os.tmpdir(), `pbts-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const argv = useTime ? ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args] : [...args];
  const exe = useTime ? GNU_TIME : cmd;
  const devNull = opts.stdout === 'pipe' ? undefined : fs.openSync('/dev/null', 'w');
  let stderr = '';
  let stdout = '';
  let hwmKb = 0;
  const start = process.hrtime.bigint();
  const child = spawn(exe, argv, {
    cwd: opts.cwd,
    stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-KEEP_TAIL);
  });
  if (devNull === undefined) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (s: string) => {
      stdout = (stdout + s).slice(-KEEP_TAIL);
    });
  }
  // Without GNU time, poll the peak RSS of the process (or of its child
  // when a wrapper is in between, which is not the case here).
  const poll = useTime
    ? undefined
    : setInterval(() => {
        const kb = readStatusKb(child.pid, 'VmHWM');
        if (kb !== undefined && kb > hwmKb) hwmKb = kb;
      }, 20);
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  // Under GNU time the command is time's only child.
  const samples: RssSample[] = [];
  const sampler =
    opts.sampleRssMs === undefined
      ? undefined
      : setInterval(() => {
          const pid = useTime ? childPid(child.pid) : child.pid;
          const kb = readStatusKb(pid, 'VmRSS');
          if (kb !== undefined) samples.push({ t: Number((Number(process.hrtime.bigint() - start) / 1e9).toFixed(3)), kb });
        }, opts.sampleRssMs);
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
  } finally {
    if (poll !== undefined) clearInterval(poll);
    if (sampler !== undefined) clearInterval(sampler);
    if (timer !== undefined) clearTimeout(timer);
    if (devNull !== undefined) fs.closeSync(devNull);
  }
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rssSamples = opts.sampleRssMs === undefined ? {} : { rssSamples: samples };
  if (!useTime) {
    return { exitCode: exit.code, signal: exit.signal, wallSeconds, ...(hwmKb > 0 ? { peakRssKb: hwmKb } : {}), rssMethod: hwmKb > 0 ? 'proc' : 'none', stderr, stdout, ...rssSamples };
  }
  let timeLine = '';
  try {
    timeLine = fs.readFileSync(timeFile, 'utf8');
  } catch {
    // The command did not start.
  } finally {
    fs.rmSync(timeFile, { force: true });
  }
  // GNU time prints "Command exited with non-zero status N" before the format line.
  const m = /(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)\s*$/.exec(timeLine.trim());
  if (m === null) return { exitCode: exit.code, signal: exit.signal, wallSeconds, rssMethod: 'none', stderr, stdout, ...rssSamples };
  // When the command itself is killed by a signal, GNU time reports it by exiting with 128+N.
  return {
    exitCode: exit.code,
    signal: exit.signal,
    wallSeconds,
    userSeconds: Number(m[2]),
    sysSeconds: Number(m[3]),
    peakRssKb: Number(m[4]),
    rssMethod: 'time',
    stderr,
    stdout,
    ...rssSamples,
  };
}

/** A `kB` field (VmHWM, VmRSS) of /proc/<pid>/status. */
export function readStatusKb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** The first child of `pid` (Linux /proc). */
function childPid(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const first = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first === undefined || first === '' ? undefined : Number(first);
  } catch {
    return undefined;
  }
}

/** Runs a helper command to completion (not measured); rejects with its stderr on failure. */
export async function run(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    stdout = (stdout + s).slice(-KEEP_TAIL);
  });
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-KEEP_TAIL);
  });
  child.stdin.on('error', () => undefined); // the command may exit before reading everything
  child.stdin.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve({ code: c, signal: s }));
    });
    if (code !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ').slice(0, 200)} failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-800)}`);
    return { stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `test()` is true, polling every `everyMs`; false on timeout. */
export async function waitFor(test: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (test()) return true;
    await sleep(everyMs);
  }
  return test();
}

/**
 * Waits until `size()` stops changing: the same value `stableChecks` polls
 * in a row, `everyMs` apart (or `timeoutMs` passes). Returns the last size.
 */
export async function waitForStable(size: () => number, opts: { everyMs?: number; stableChecks?: number; timeoutMs?: number } = {}): Promise<number> {
  const everyMs = opts.everyMs ?? 200;
  const needed = opts.stableChecks ?? 3;
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  let last = size();
  let same = 0;
  while (same < needed && Date.now() < until) {
    await sleep(everyMs);
    const now = size();
    if (now === last) same++;
    else {
      same = 0;
      last = now;
    }
  }
  return last;
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Sends `signal` to a child we started and waits for it to exit (SIGKILL after `graceMs`). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP or UDP port on 127.0.0.1 nobody listens on now (the OS picks it). */
export async function sparePort(kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    const port = sock.address().port;
    await new Promise<void>((resolve) => sock.close(() => resolve()));
    return port;
  }
  const net = await import('node:net');
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no spare port');
  return addr.port;
}
