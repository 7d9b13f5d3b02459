import fs from 'node:fs';
import path from 'node:path';

/**
 * What live-capture tests share: whether this machine can capture on `lo`
 * (root and libpcap, plus what the test itself needs), the rule that a
 * missing piece skips with a printed reason but fails under REQUIRE_LIVE=1
 * (CI), and reading the file output's documents.
 */
export async function liveCaptureUnavailable(needs?: () => Promise<string | undefined> | string | undefined): Promise<string | undefined> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'live capture needs root';
  try {
    const { liveCaptureBackend } = await import('../../src/sources/live-source.js');
    liveCaptureBackend();
  } catch {
    return 'no libpcap binding is built (ours or the cap package)';
  }
  return needs?.();
}

/** Skips the test (printing why) when `reason` is set, or fails it under REQUIRE_LIVE=1. */
export function skipUnlessLive(ctx: Mocha.Context, reason: string | undefined): void {
  if (reason === undefined) return;
  if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`${reason} (REQUIRE_LIVE=1)`);
  console.log(`      skipped: ${reason}`);
  ctx.skip();
}

/** Every document the file output wrote into `dir`. */
export function readNdjson<T = Record<string, unknown>>(dir: string): T[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .flatMap((f) =>
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as T),
    );
}

/**
 * Waits until the file output in `dir` holds at least `count` documents that
 * `match`, or `timeoutMs` passes. Live tests call this before stopping the
 * beat rather than sleeping a fixed time: on a loaded machine the last packets
 * can take longer than any fixed pause to travel through the capture, and the
 * ones still in the kernel's ring at SIGTERM are never seen.
 */
export async function waitForDocuments<T = Record<string, unknown>>(
  dir: string,
  count: number,
  match: (doc: T) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (readNdjson<T>(dir).filter(match).length >= count) return;
    } catch {
      // A line caught half-written: read again on the next round.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
