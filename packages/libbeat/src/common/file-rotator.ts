import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A synchronous, size-based rotating file writer, used by `output.file` and
 * `logging.to_files`.
 *
 * File naming follows Beats 8.x (elastic-agent-libs `file.Rotator`, the
 * "date rotater"): files are never renamed. The active file is
 * `<filename>-<YYYYMMDD>.<ext>` (local date when the file is created, `ext`
 * defaults to `ndjson`); a rotation on the same day creates
 * `<filename>-<YYYYMMDD>-1.<ext>`, then `-2`, … (one more than the highest
 * index of that day). Older Beats (< 8.0) used `filename`, `filename.1`, …
 * with renames; that scheme is not supported.
 *
 * - On `open()`, the newest existing file of the family (by date, then
 *   index) becomes the active file. If it exists and `rotateOnStartup` is set
 *   (default), a new file is started instead; otherwise it is appended to.
 * - A write that would take the file past `maxSizeBytes` rotates first,
 *   unless the file is empty (an oversized write goes into a fresh file).
 * - After a rotation only the newest `maxFiles` files of the family are kept
 *   (the active one included), as the file output documents for
 *   `number_of_files`. Go Beats keeps `number_of_files` rotated files plus
 *   the active one; the documented limit is used here.
 * - The directory is created (mode 0750) if missing; files are created with
 *   `permissions` (default 0600), enforced with fchmod so the umask does not
 *   widen or narrow them.
 *
 * fs errors (ENOSPC, EACCES, ENOTDIR, …) are thrown as Node errors with their
 * `code`.
 */

export interface FileRotatorOptions {
  readonly dir: string;
  /** Base name of the files, e.g. the beat name. */
  readonly filename: string;
  /** Default 10 MiB. */
  readonly maxSizeBytes?: number;
  /** Files kept, the active one included. Default 7, at most 1024. */
  readonly maxFiles?: number;
  /** Mode of created files. Default 0o600. */
  readonly permissions?: number;
  /** Start a new file at `open()` when the newest one exists. Default true. */
  readonly rotateOnStartup?: boolean;
  /** Extension without the dot. Default `ndjson`. */
  readonly extension?: string;
  /** Clock used for the date in file names (tests). Default `new Date()`. */
  readonly now?: () => Date;
}

export const MAX_ROTATED_FILES = 1024;
export const DIR_MODE = 0o750;

interface FamilyFile {
  readonly name: string;
  readonly date: string;
  readonly index: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function localDate(d: Date): string {
  const y = String(d.getFullYear()).padStart(4, '0');
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${y}${m}${day}`;
}

function compareFiles(a: FamilyFile, b: FamilyFile): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.index - b.index;
}

export class FileRotator {
  readonly dir: string;
  readonly filename: string;
  readonly maxSizeBytes: number;
  readonly maxFiles: number;
  readonly permissions: number;
  readonly rotateOnStartup: boolean;
  readonly extension: string;

  private readonly now: () => Date;
  private readonly pattern: RegExp;
  private fd: number | undefined;
  private size = 0;
  private activeName: string | undefined;

  constructor(options: FileRotatorOptions) {
    this.dir = options.dir;
    this.filename = options.filename;
    this.maxSizeBytes = options.maxSizeBytes ?? 10 * 1024 * 1024;
    this.maxFiles = options.maxFiles ?? 7;
    this.permissions = options.permissions ?? 0o600;
    this.rotateOnStartup = options.rotateOnStartup ?? true;
    this.extension = options.extension ?? 'ndjson';
    this.now = options.now ?? (() => new Date());

    if (this.filename === '' || this.filename.includes('/') || this.filename.includes(path.sep)) {
      throw new Error(`file rotator: invalid file name "${this.filename}"`);
    }
    if (!Number.isFinite(this.maxSizeBytes) || this.maxSizeBytes <= 0) {
      throw new Error('file rotator: max file size must be greater than 0');
    }
    if (!Number.isInteger(this.maxFiles) || this.maxFiles < 1 || this.maxFiles > MAX_ROTATED_FILES) {
      throw new Error(`file rotator: number of files must be between 1 and ${MAX_ROTATED_FILES}, got ${this.maxFiles}`);
    }
    if (!Number.isInteger(this.permissions) || this.permissions < 0 || this.permissions > 0o777) {
      throw new Error(`file rotator: permissions mask of ${this.permissions.toString(8)} is invalid`);
    }
    const ext = this.extension === '' ? '' : `\\.${escapeRegExp(this.extension)}`;
    this.pattern = new RegExp(`^${escapeRegExp(this.filename)}-(\\d{8})(?:-(\\d+))?${ext}$`);
  }

  /** The file being written; before `open()`, the name a new file would get today. */
  get currentPath(): string {
    return path.join(this.dir, this.activeName ?? this.nameFor(localDate(this.now()), 0));
  }

  /** Bytes in the active file. */
  get currentSize(): number {
    return this.size;
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Opens the active file; rotates first when `rotateOnStartup` and the newest file exists. */
  open(): void {
    if (this.fd !== undefined) return;
    fs.mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
    const files = this.listFamily();
    const newest = files[files.length - 1];
    if (newest !== undefined && !this.rotateOnStartup) {
      this.activeName = newest.name;
      const fd = fs.openSync(this.join(newest.name), 'a', this.permissions);
      try {
        this.size = fs.fstatSync(fd).size;
      } catch (err) {
        fs.closeSync(fd);
        throw err;
      }
      this.fd = fd;
      return;
    }
    if (newest === undefined) {
      this.activeName = this.nameFor(localDate(this.now()), 0);
      this.createActive();
      return;
    }
    this.startNewFile(files);
  }

  /** Writes all of `data`, rotating first if it would overflow a non-empty file. */
  write(data: string | Buffer): void {
    if (this.fd === undefined) this.open();
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const len = buf.length;
    if (len === 0) return;
    if (this.size > 0 && this.size + len > this.maxSizeBytes) this.rotate();
    const fd = this.fd as number;
    let off = 0;
    try {
      while (off < len) off += fs.writeSync(fd, buf, off, len - off);
    } finally {
      this.size += off;
    }
  }

  /** Closes the active file and starts the next one (purging the oldest beyond `maxFiles`). */
  rotate(): void {
    this.closeFd();
    fs.mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
    this.startNewFile(this.listFamily());
  }

  /** Closes the active file; a later write reopens (appending, or rotating per `rotateOnStartup`). */
  close(): void {
    this.closeFd();
  }

  /** The files of this family in `dir`, oldest first (file names only). */
  listFiles(): string[] {
    return this.listFamily().map((f) => f.name);
  }

  private closeFd(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    this.size = 0;
    fs.closeSync(fd);
  }

  private startNewFile(files: FamilyFile[]): void {
    const date = localDate(this.now());
    let maxIndex = -1;
    for (const f of files) if (f.date === date && f.index > maxIndex) maxIndex = f.index;
    this.activeName = this.nameFor(date, maxIndex + 1);
    this.createActive();
    this.purge();
  }

  private createActive(): void {
    const name = this.activeName as string;
    const fd = fs.openSync(this.join(name), 'w', this.permissions);
    try {
      fs.fchmodSync(fd, this.permissions);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.fd = fd;
    this.size = 0;
  }

  private purge(): void {
    const files = this.listFamily();
    let excess = files.length - this.maxFiles;
    for (const f of files) {
      if (excess <= 0) break;
      if (f.name === this.activeName) continue;
      try {
        fs.unlinkSync(this.join(f.name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      excess--;
    }
  }

  private listFamily(): FamilyFile[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: FamilyFile[] = [];
    for (const name of names) {
      const m = this.pattern.exec(name);
      if (m === null) continue;
      out.push({ name, date: m[1] as string, index: m[2] === undefined ? 0 : Number(m[2]) });
    }
    out.sort(compareFiles);
    return out;
  }

  private nameFor(date: string, index: number): string {
    const ext = this.extension === '' ? '' : `.${this.extension}`;
    return index === 0 ? `${this.filename}-${date}${ext}` : `${this.filename}-${date}-${index}${ext}`;
  }

  private join(name: string): string {
    return path.join(this.dir, name);
  }
}
