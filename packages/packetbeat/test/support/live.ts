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
    const { loadLibpcap } = await import('../../src/capture/libpcap.js');
    loadLibpcap();
  } catch {
    return 'libpcap (the cap package) is not installed';
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
