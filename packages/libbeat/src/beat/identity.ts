import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BeatError, ErrorCodes, errorMessage } from '../errors.js';
import type { BeatInfo } from './info.js';

interface MetaFile {
  uuid: string;
  first_start: string;
}

/**
 * The beat's identity: a UUID kept in `path.data/meta.json` across restarts
 * (as Beats does, so `agent.id` is stable), and an ephemeral id new each run.
 */
export function loadBeatInfo(options: { beat: string; version: string; name: string; dataPath: string; persist?: boolean }): BeatInfo {
  const hostname = os.hostname();
  const id = options.persist === false ? randomUUID() : readOrCreateId(options.dataPath);
  return {
    beat: options.beat,
    name: options.name === '' ? hostname : options.name,
    version: options.version,
    id,
    ephemeralId: randomUUID(),
    hostname,
    startTime: new Date(),
  };
}

function readOrCreateId(dataPath: string): string {
  const file = path.join(dataPath, 'meta.json');
  try {
    const meta = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<MetaFile>;
    if (typeof meta.uuid === 'string' && meta.uuid !== '') return meta.uuid;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      // A damaged meta.json is replaced rather than stopping the beat.
    }
  }
  const meta: MetaFile = { uuid: randomUUID(), first_start: new Date().toISOString() };
  try {
    fs.mkdirSync(dataPath, { recursive: true, mode: 0o750 });
    const tmp = `${file}.new`;
    fs.writeFileSync(tmp, JSON.stringify(meta), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `cannot write ${file} (path.data): ${errorMessage(err)}`, { key: 'path.data', cause: err });
  }
  return meta.uuid;
}
