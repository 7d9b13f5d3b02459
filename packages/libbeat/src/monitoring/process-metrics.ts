import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { BeatInfo } from '../beat/info.js';
import type { MetricsRegistry } from './metrics.js';

/** process.memoryUsage() reads /proc; one read serves every memstats metric of a scrape. */
const MEMORY_CACHE_MS = 50;

/** Reads the value, or `undefined` when it cannot be had (a scrape must never throw). */
function guarded<T>(read: () => T): () => T | undefined {
  return () => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** `Max open files` soft and hard limits from /proc/self/limits (Linux), or undefined. */
function readFileLimits(): { soft: number; hard: number } | undefined {
  const text = readFileSync('/proc/self/limits', 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  if (line === undefined) return undefined;
  const parts = line.slice('Max open files'.length).trim().split(/\s+/);
  const soft = Number(parts[0]);
  const hard = Number(parts[1]);
  if (!Number.isFinite(soft) || !Number.isFinite(hard)) return undefined;
  return { soft, hard };
}

function hasProcFd(): boolean {
  try {
    readdirSync('/proc/self/fd');
    return true;
  } catch {
    return false;
  }
}

/**
 * Registers the `beat.*` and `system.*` metrics Beats reports (`/stats`, the
 * metrics log line), as `func` metrics read when scraped:
 *
 * - `beat.info.{uptime.ms,ephemeral_id,name,version}`
 * - `beat.memstats.*`, from process.memoryUsage(): `memory_alloc` = heapUsed
 *   (live heap objects), `memory_total` = heapTotal (heap committed by V8),
 *   `memory_sys` = heapTotal + external (heap plus buffers), `rss`, and
 *   `gc_next` = heapTotal (V8 collects when the committed heap is full).
 * - `beat.cpu.{user,system,total}.{ticks,time.ms}` (milliseconds of CPU, as
 *   Beats' ticks are) and `beat.cpu.total.value`
 * - `beat.handles.open` and `beat.handles.limit.{soft,hard}` (Linux only)
 * - `beat.runtime.goroutines`: the count of active libuv resources (handles and
 *   requests), the nearest thing Node has
 * - `system.load.{1,5,15}`, `system.load.norm.{1,5,15}`, `system.cpu.cores`
 *
 * Returns a function that removes them again.
 */
export function registerProcessMetrics(registry: MetricsRegistry, info: BeatInfo): () => void {
  const started = info.startTime.getTime();
  registry.func('beat.info.uptime.ms', () => Math.max(0, Date.now() - started));
  registry.func('beat.info.ephemeral_id', () => info.ephemeralId);
  registry.func('beat.info.name', () => info.name);
  registry.func('beat.info.version', () => info.version);

  let memAt = 0;
  let mem: NodeJS.MemoryUsage | undefined;
  const memory = (): NodeJS.MemoryUsage => {
    const now = Date.now();
    if (mem === undefined || now - memAt > MEMORY_CACHE_MS) {
      mem = process.memoryUsage();
      memAt = now;
    }
    return mem;
  };
  registry.func('beat.memstats.memory_total', guarded(() => memory().heapTotal));
  registry.func('beat.memstats.memory_alloc', guarded(() => memory().heapUsed));
  registry.func('beat.memstats.memory_sys', guarded(() => memory().heapTotal + memory().external));
  registry.func('beat.memstats.rss', guarded(() => memory().rss));
  registry.func('beat.memstats.gc_next', guarded(() => memory().heapTotal));

  const cpuMs = (pick: (u: NodeJS.CpuUsage) => number) => guarded(() => Math.round(pick(process.cpuUsage()) / 1000));
  const user = (u: NodeJS.CpuUsage): number => u.user;
  const system = (u: NodeJS.CpuUsage): number => u.system;
  const total = (u: NodeJS.CpuUsage): number => u.user + u.system;
  registry.func('beat.cpu.user.ticks', cpuMs(user));
  registry.func('beat.cpu.user.time.ms', cpuMs(user));
  registry.func('beat.cpu.system.ticks', cpuMs(system));
  registry.func('beat.cpu.system.time.ms', cpuMs(system));
  registry.func('beat.cpu.total.ticks', cpuMs(total));
  registry.func('beat.cpu.total.time.ms', cpuMs(total));
  registry.func('beat.cpu.total.value', cpuMs(total));

  if (hasProcFd()) {
    registry.func('beat.handles.open', guarded(() => readdirSync('/proc/self/fd').length));
    registry.func('beat.handles.limit.soft', guarded(() => readFileLimits()?.soft));
    registry.func('beat.handles.limit.hard', guarded(() => readFileLimits()?.hard));
  }

  registry.func('beat.runtime.goroutines', guarded(() => process.getActiveResourcesInfo().length));

  const cores = availableParallelism();
  const load = (i: 0 | 1 | 2, norm: boolean) => guarded(() => round2((loadavg()[i] ?? 0) / (norm ? cores : 1)));
  registry.func('system.load.1', load(0, false));
  registry.func('system.load.5', load(1, false));
  registry.func('system.load.15', load(2, false));
  registry.func('system.load.norm.1', load(0, true));
  registry.func('system.load.norm.5', load(1, true));
  registry.func('system.load.norm.15', load(2, true));
  registry.func('system.cpu.cores', () => cores);

  return () => {
    registry.remove('beat.info');
    registry.remove('beat.memstats');
    registry.remove('beat.cpu');
    registry.remove('beat.handles');
    registry.remove('beat.runtime');
    registry.remove('system.load');
    registry.remove('system.cpu');
  };
}
