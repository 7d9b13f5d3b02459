import net from 'node:net';
import type { TcpTarget } from './target.js';

/** The outcome of one connection attempt. */
export interface CheckResult {
  readonly target: TcpTarget;
  readonly startedAt: Date;
  readonly up: boolean;
  /** Time to connect (or to fail), in microseconds. */
  readonly durationUs: number;
  /** Why the check is down. */
  readonly error?: string;
}

/**
 * Opens a TCP connection to the target and closes it at once. Up when the
 * connection is established within `timeoutMs`; down on any error, on the
 * timeout, or when `signal` aborts (callers discard aborted results).
 */
export function checkTcp(target: TcpTarget, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult> {
  const startedAt = new Date();
  const start = process.hrtime.bigint();
  const elapsedUs = (): number => Number((process.hrtime.bigint() - start) / 1000n);
  if (signal?.aborted === true) return Promise.resolve({ target, startedAt, up: false, durationUs: 0, error: 'check aborted' });

  return new Promise((resolve) => {
    let done = false;
    const socket = net.connect({ host: target.host, port: target.port });
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      const durationUs = elapsedUs();
      resolve(error === undefined ? { target, startedAt, up: true, durationUs } : { target, startedAt, up: false, durationUs, error });
    };
    const onAbort = (): void => finish('check aborted');
    const timer = setTimeout(() => finish(`connection to ${target.url} timed out after ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => finish());
    // `on`, not `once`: an error after the check ended must not go unhandled.
    socket.on('error', (err: Error) => finish(err.message));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
