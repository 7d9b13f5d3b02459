import { deflate } from 'node:zlib';

/**
 * Lumberjack protocol version 2 (the Beats protocol), client side.
 *
 * Every frame starts with the version byte `'2'` and a frame type:
 *
 * ```text
 * window:     '2' 'W' count:u32be                      (6 bytes)
 * JSON event: '2' 'J' seq:u32be length:u32be payload   (10 + length)
 * compressed: '2' 'C' length:u32be zlib(frames…)       (6 + length)
 * ack:        '2' 'A' seq:u32be                        (6 bytes, server → client)
 * ```
 *
 * A client sends a window frame announcing `count` events, then the events
 * as JSON frames numbered 1..count (all of them inside one compressed frame
 * when compression is on). The server answers with ack frames carrying the
 * highest sequence number it has processed: an ack below `count` is partial
 * progress (Logstash also repeats it as a keep-alive), `count` completes the
 * window.
 */

export const PROTOCOL_VERSION = 0x32; // '2'
export const FRAME_WINDOW = 0x57; // 'W'
export const FRAME_JSON = 0x4a; // 'J'
export const FRAME_COMPRESSED = 0x43; // 'C'
export const FRAME_ACK = 0x41; // 'A'

export const WINDOW_FRAME_SIZE = 6;
export const JSON_HEADER_SIZE = 10;
export const ACK_FRAME_SIZE = 6;

/** `'2' 'W' count`. */
export function windowFrame(count: number): Buffer {
  const b = Buffer.allocUnsafe(WINDOW_FRAME_SIZE);
  b[0] = PROTOCOL_VERSION;
  b[1] = FRAME_WINDOW;
  b.writeUInt32BE(count >>> 0, 2);
  return b;
}

/** `'2' 'A' seq` (what a server sends; used by tests and tools). */
export function ackFrame(seq: number): Buffer {
  const b = Buffer.allocUnsafe(ACK_FRAME_SIZE);
  b[0] = PROTOCOL_VERSION;
  b[1] = FRAME_ACK;
  b.writeUInt32BE(seq >>> 0, 2);
  return b;
}

/**
 * Accumulates JSON frames (`'2' 'J' seq len payload`) in one growable buffer,
 * numbering them from 1. Reused across windows.
 */
export class JsonFrameWriter {
  private buf: Buffer;
  private off = 0;
  private seq = 0;
  private readonly initialSize: number;

  constructor(initialSize = 1 << 16) {
    this.initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Frames written since the last reset. */
  get count(): number {
    return this.seq;
  }

  get length(): number {
    return this.off;
  }

  reset(): void {
    this.off = 0;
    this.seq = 0;
    if (this.buf.length > this.initialSize * 64) this.buf = Buffer.allocUnsafe(this.initialSize);
  }

  /** Appends one event's JSON document as the next frame. */
  add(json: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    this.ensure(JSON_HEADER_SIZE + json.length * 3);
    const start = this.off;
    const n = this.buf.write(json, start + JSON_HEADER_SIZE, 'utf8');
    this.seq++;
    this.buf[start] = PROTOCOL_VERSION;
    this.buf[start + 1] = FRAME_JSON;
    this.buf.writeUInt32BE(this.seq, start + 2);
    this.buf.writeUInt32BE(n, start + 6);
    this.off = start + JSON_HEADER_SIZE + n;
  }

  /** A copy of the frames written so far (safe to hand to a socket). */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.off));
  }

  /** The frames written so far; valid until the next add or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.off);
  }

  private ensure(need: number): void {
    if (this.buf.length - this.off >= need) return;
    let size = this.buf.length * 2;
    while (size - this.off < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }
}

function deflateAsync(data: Buffer, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    deflate(data, { level }, (err, out) => (err === null ? resolve(out) : reject(err)));
  });
}

/**
 * The bytes of one window: the window frame followed by the JSON frames, or
 * by one compressed frame wrapping them when `compressionLevel` > 0.
 * Compression runs on the libuv thread pool.
 */
export async function encodeWindow(frames: JsonFrameWriter, compressionLevel: number): Promise<Buffer> {
  const head = windowFrame(frames.count);
  if (compressionLevel <= 0) return Buffer.concat([head, frames.view()], head.length + frames.length);
  const body = await deflateAsync(frames.view(), Math.min(9, compressionLevel));
  const out = Buffer.allocUnsafe(WINDOW_FRAME_SIZE + 6 + body.length);
  head.copy(out, 0);
  out[6] = PROTOCOL_VERSION;
  out[7] = FRAME_COMPRESSED;
  out.writeUInt32BE(body.length, 8);
  body.copy(out, 12);
  return out;
}
