import { createEvent, formatDuration, type BeatEvent, type Beater, type BeaterContext, type PipelineClient } from '@packetbeat-ts/libbeat';
import { checkTcp, type CheckResult } from './check.js';
import type { TcpcheckSettings } from './settings.js';

/** The event of one check, Heartbeat-like ECS. libbeat adds `agent.*`, `ecs.version`, `host.name`. */
export function checkEvent(result: CheckResult): BeatEvent {
  const { target } = result;
  return createEvent(
    {
      monitor: { id: target.id, type: 'tcp', status: result.up ? 'up' : 'down', duration: { us: result.durationUs } },
      url: { scheme: 'tcp', domain: target.host, port: target.port, full: target.url },
      event: { dataset: 'tcpcheck' },
      ...(result.error !== undefined ? { error: { type: 'io', message: result.error } } : {}),
    },
    result.startedAt,
  );
}

/** Resolves after `ms`, or at once when `signal` aborts; the timer is cleared either way. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when `promise` settles or when `signal` aborts, whichever comes first. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}

/** Counts events accepted by the pipeline and not yet acknowledged or dropped. */
class Outstanding {
  private count = 0;
  private waiters: (() => void)[] = [];

  add(n: number): void {
    this.count += n;
  }

  settle(n: number): void {
    this.count = Math.max(0, this.count - n);
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }

  get size(): number {
    return this.count;
  }

  /** Resolves once every accepted event was acknowledged or dropped. */
  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * tcpcheck's main loop: every `schedule`, checks all targets concurrently and
 * publishes one event per target (in configuration order). Stops when the
 * runtime aborts `ctx.signal`, or after `max_checks` rounds, once the output
 * has acknowledged the events (so a bounded run loses nothing, even with
 * libbeat's default `shutdown_timeout` of 0).
 */
export class TcpcheckBeater implements Beater {
  constructor(readonly settings: TcpcheckSettings) {}

  async run(ctx: BeaterContext): Promise<void> {
    const { signal, logger } = ctx;
    const { targets, scheduleMs, timeoutMs, maxChecks } = this.settings;
    const up = ctx.metrics.counter('tcpcheck.checks.up');
    const down = ctx.metrics.counter('tcpcheck.checks.down');
    const outstanding = new Outstanding();
    const client: PipelineClient = ctx.pipeline.connect({
      onAck: (n) => outstanding.settle(n),
      onDrop: (n, reason) => {
        outstanding.settle(n);
        logger.warn(`${n} check events were dropped: ${reason}`);
      },
    });

    logger.info(`checking ${targets.length} endpoint(s) every ${formatDuration(scheduleMs)}`, {
      hosts: targets.map((t) => t.url),
      max_checks: maxChecks,
    });
    let round = 0;
    try {
      while (!signal.aborted) {
        const roundStart = Date.now();
        const results = await Promise.all(targets.map((t) => checkTcp(t, timeoutMs, signal)));
        if (signal.aborted) break; // results of an interrupted round are incomplete: not published
        round++;
        for (const result of results) {
          (result.up ? up : down).inc();
          logger.debug(`${result.target.url} is ${result.up ? 'up' : 'down'}`, { round, duration_us: result.durationUs, error: result.error });
          outstanding.add(1); // onDrop runs synchronously for a 'dropped' result
          const status = client.publish(checkEvent(result));
          if (status === 'filtered') outstanding.settle(1);
          else if (status === 'held') await untilAborted(client.waitForSpace(), signal);
        }
        if (maxChecks > 0 && round >= maxChecks) {
          logger.info(`${round} round(s) of checks done (max_checks), waiting for ${outstanding.size} event(s) to be acknowledged`);
          await untilAborted(outstanding.drained(), signal);
          break;
        }
        await delay(Math.max(0, scheduleMs - (Date.now() - roundStart)), signal);
      }
    } finally {
      client.close();
    }
    logger.info(`tcpcheck stopped after ${round} round(s) of checks`);
  }
}
