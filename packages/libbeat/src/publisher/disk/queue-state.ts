import fs from 'node:fs';
import path from 'node:path';

/**
 * The disk queue's `state.json`: the first frame not yet acknowledged. It is
 * replaced atomically (write a temporary file, then rename), so a crash
 * leaves either the old position or the new one.
 */
export class QueueState {
  private readonly file: string;
  private readonly tmp: string;

  constructor(dir: string) {
    this.file = path.join(dir, 'state.json');
    this.tmp = path.join(dir, 'state.json.tmp');
  }

  /** The saved position, or 0 when there is none (or it is unreadable). */
  load(): number {
    try {
      const state = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { ackedFrames?: unknown };
      const n = state.ackedFrames;
      return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  save(ackedFrames: number): void {
    fs.writeFileSync(this.tmp, JSON.stringify({ version: 1, ackedFrames }), { mode: 0o600 });
    fs.renameSync(this.tmp, this.file);
  }
}
