import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BeatError, ErrorCodes, errorMessage } from '@packetbeat-ts/libbeat';

/** Default read size: large enough that the per-read cost vanishes, small enough to stay in cache-friendly territory. */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

/**
 * A regular file read front to back in large chunks through one reused
 * Buffer. `buf[pos, end)` holds the unread bytes of the current chunk;
 * `fill(n)` makes sure at least `n` of them are there, carrying a partial
 * record over to the front of the buffer before reading the next chunk.
 * Views handed out from `buf` stay valid only until the next `fill`.
 */
export class FileChunks {
  buf: Buffer;
  /** A DataView over `buf` (DataView reads compile to plain loads in hot loops). */
  dv: DataView;
  pos = 0;
  end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private fd: number;
  readonly size: number;

  constructor(
    readonly path: string,
    chunkSize: number = DEFAULT_CHUNK_SIZE,
  ) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new BeatError(ErrorCodes.CONFIG_INVALID, `cannot open capture file ${path}: ${errorMessage(err)}`, { file: path, cause: err });
    }
    try {
      const st = fstatSync(this.fd);
      if (!st.isFile()) throw new Error('not a regular file');
      this.size = st.size;
    } catch (err) {
      closeSync(this.fd);
      this.fd = -1;
      throw new BeatError(ErrorCodes.CONFIG_INVALID, `cannot read capture file ${path}: ${errorMessage(err)}`, { file: path, cause: err });
    }
    this.buf = Buffer.allocUnsafe(Math.max(64, Math.min(chunkSize, this.size + 4096)));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** File offset of buf[i]. */
  offsetOf(i: number): number {
    return this.base + i;
  }

  /** Bytes of the file not yet consumed (including those already in the buffer). */
  remaining(): number {
    return this.size - (this.base + this.pos);
  }

  /** Makes `end - pos >= need`; false when the file ends first (the bytes that are there stay available). */
  fill(need: number): boolean {
    if (this.end - this.pos >= need) return true;
    if (this.fd < 0) return false;
    if (this.pos > 0) {
      if (this.end > this.pos) this.buf.copyWithin(0, this.pos, this.end);
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
    }
    if (need > this.buf.length) {
      let len = this.buf.length;
      while (len < need) len *= 2;
      const bigger = Buffer.allocUnsafe(len);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
      this.dv = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
    }
    while (this.end < need) {
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.base + this.end);
      if (got === 0) return false;
      this.end += got;
    }
    return true;
  }

  /** Consumes `n` bytes, which need not be in the buffer (a large skipped block is never read). */
  skip(n: number): void {
    if (this.pos + n <= this.end) {
      this.pos += n;
    } else {
      this.base += this.pos + n;
      this.pos = 0;
      this.end = 0;
    }
  }

  /** Positions the next read at `fileOffset`, dropping the buffered bytes. */
  seek(fileOffset: number): void {
    this.base = fileOffset;
    this.pos = 0;
    this.end = 0;
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  close(): void {
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      this.pos = 0;
      this.end = 0;
      closeSync(fd);
    }
  }
}
