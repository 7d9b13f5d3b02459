import fs from 'node:fs';
import path from 'node:path';
import { BeatError, ErrorCodes } from '../../errors.js';

/**
 * One process per disk queue directory: `queue.lock` holds the owner's pid.
 * A lock whose process is gone (a crash, SIGKILL) is taken over.
 */
export class QueueLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string): QueueLock {
    const file = path.join(dir, 'queue.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
        return new QueueLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(fs.readFileSync(file, 'utf8').trim());
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
          throw new BeatError(ErrorCodes.CONFIG_INVALID, `queue.disk.path: ${dir} is in use by process ${owner}`, { key: 'queue.disk.path' });
        }
        fs.rmSync(file, { force: true });
      }
    }
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `queue.disk.path: cannot lock ${dir}`, { key: 'queue.disk.path' });
  }

  release(): void {
    fs.rmSync(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
