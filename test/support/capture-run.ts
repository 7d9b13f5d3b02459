import fs from 'node:fs';
import path from 'node:path';
import { flattenFields } from '@packetbeat-ts/libbeat';
import { packetbeatBin, readNdjson, repoRoot, run, tempDir, writeConfig } from './run-process.js';

/** A published document with its fields flattened to dotted keys ("url.query"), as Elastic's system tests read them. */
export type FlatDoc = Record<string, unknown>;

export const pcapDir = path.resolve(repoRoot, '../shared/pcaps');

/**
 * The path of `name` in the shared captures, or skips the running test (printing why) when it is absent.
 * With REQUIRE_LIVE=1 an absent capture is an error instead.
 */
export function captureOrSkip(ctx: Mocha.Context, name: string): string {
  const file = path.join(pcapDir, name);
  if (fs.existsSync(file)) return file;
  if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`missing capture ${file}`);
  console.log(`      skipped: ${file} is absent`);
  ctx.skip();
}

/**
 * Replays `capture` through the packetbeat binary with a config made of `configLines` plus a file output
 * under a fresh home directory, and returns every document written, flattened. The home is removed afterwards.
 */
export async function replayCapture(capture: string, configLines: readonly string[]): Promise<FlatDoc[]> {
  const home = tempDir('pb-capture-');
  try {
    const config = writeConfig(
      home,
      'packetbeat.yml',
      [...configLines, 'output.file.path: ${path.home}/out', 'logging.to_files: false', ''].join('\n'),
    );
    const r = await run(packetbeatBin, ['--path.home', home, '-c', config, '-I', capture, '-t', '-e']);
    if (r.code !== 0) throw new Error(`packetbeat exited with ${r.code} (${r.signal}) on ${path.basename(capture)}:\n${r.stderr}`);
    return readNdjson(path.join(home, 'out')).map((d) => flattenFields(d));
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
