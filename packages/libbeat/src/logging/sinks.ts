import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { FileRotator } from '../common/file-rotator.js';
import { errorMessage } from '../errors.js';
import type { LoggingFilesSettings } from './settings.js';

/** Where formatted log lines go. `write` may throw; the log manager counts the failure. */
export interface LogSink {
  /** For messages about this sink: `stderr`, or the file path. */
  readonly description: string;
  write(line: string): void;
  close(): void;
}

/** A write that would block (EAGAIN on a non-blocking pipe) is retried every millisecond, this many times. */
const EAGAIN_RETRIES = 2000;

let sleepCell: Int32Array | undefined;

/** Blocks the thread for `ms` milliseconds (the reader of a full pipe needs time to drain it). */
function sleepSync(ms: number): void {
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** Writes the whole of `data` to `fd` synchronously, retrying short writes and EAGAIN. */
export function writeAllSync(fd: number, data: string): void {
  const buf = Buffer.from(data, 'utf8');
  let off = 0;
  let retries = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || retries++ >= EAGAIN_RETRIES) throw err;
      sleepSync(1);
    }
  }
}

/** Synchronous writes to file descriptor 2 (or a writer given for tests and embedding). */
export class StderrSink implements LogSink {
  readonly description = 'stderr';
  private readonly writer: (line: string) => void;

  constructor(writer?: (line: string) => void) {
    this.writer = writer ?? ((line) => writeAllSync(2, line));
  }

  write(line: string): void {
    this.writer(line);
  }

  close(): void {
    // stderr stays open.
  }
}

/** Do not retry a failed open more often than this. */
const REOPEN_INTERVAL_MS = 1000;

/**
 * `logging.to_files`: rotated files through FileRotator. The file is created on
 * the first line written (as Beats does: no output, no file); a failed open is
 * retried at most once a second, each failed write throws to the caller.
 */
export class FileSink implements LogSink {
  private rotator: FileRotator | undefined;
  private lastOpenFailure = 0;
  private lastOpenError: unknown;
  private closed = false;

  constructor(private readonly files: LoggingFilesSettings) {}

  get description(): string {
    return this.rotator?.currentPath ?? join(this.files.path, this.files.name);
  }

  /** The file being written, once opened. */
  get currentPath(): string | undefined {
    return this.rotator?.currentPath;
  }

  write(line: string): void {
    if (this.closed) throw new Error('log file closed');
    const r = this.rotator ?? this.open();
    r.write(line);
  }

  private open(): FileRotator {
    const now = Date.now();
    if (this.lastOpenFailure !== 0 && now - this.lastOpenFailure < REOPEN_INTERVAL_MS) {
      throw new Error(`log file not open: ${errorMessage(this.lastOpenError)}`);
    }
    try {
      const r = new FileRotator({
        dir: this.files.path,
        filename: this.files.name,
        maxSizeBytes: this.files.rotateeverybytes,
        maxFiles: this.files.keepfiles,
        permissions: this.files.permissions,
        rotateOnStartup: this.files.rotateonstartup,
      });
      r.open();
      this.rotator = r;
      this.lastOpenFailure = 0;
      return r;
    } catch (err) {
      this.lastOpenFailure = now;
      this.lastOpenError = err;
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    const r = this.rotator;
    this.rotator = undefined;
    r?.close();
  }
}
