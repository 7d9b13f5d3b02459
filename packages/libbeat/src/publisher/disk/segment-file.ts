import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { BeatEvent, EventFields } from '../../event.js';

/**
 * The disk queue's segment files. A segment is `<id>.seg`:
 *
 *   header  "PBQ1" | u32 version (1) | f64 id of its first frame     (16 bytes)
 *   frames  u32 payload length | u32 CRC-32 of the payload | payload  (repeated)
 *
 * all little-endian. A frame's payload is one event as JSON
 * (`{"t":<ms>,"f":{fields},"m":{meta}}`). Frame ids are consecutive across
 * segments, so a frame's id is its segment's first id plus its index.
 */
export const SEGMENT_HEADER_BYTES = 16;
export const FRAME_HEADER_BYTES = 8;
const MAGIC = 0x31514250; // "PBQ1" read as little-endian u32
const VERSION = 1;
const SEGMENT_SUFFIX = '.seg';

export function segmentPath(dir: string, id: number): string {
  return path.join(dir, `${id}${SEGMENT_SUFFIX}`);
}

/** Segment ids present in `dir`, ascending. */
export function listSegmentIds(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(SEGMENT_SUFFIX) && /^\d+$/.test(f.slice(0, -SEGMENT_SUFFIX.length)))
    .map((f) => Number(f.slice(0, -SEGMENT_SUFFIX.length)))
    .sort((a, b) => a - b);
}

export function encodeSegmentHeader(firstFrame: number): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  b.writeUInt32LE(MAGIC, 0);
  b.writeUInt32LE(VERSION, 4);
  b.writeDoubleLE(firstFrame, 8);
  return b;
}

/** The first frame id from a segment header, or `undefined` if it is not one of ours. */
export function decodeSegmentHeader(b: Buffer): number | undefined {
  if (b.length < SEGMENT_HEADER_BYTES || b.readUInt32LE(0) !== MAGIC || b.readUInt32LE(4) !== VERSION) return undefined;
  const first = b.readDoubleLE(8);
  return Number.isSafeInteger(first) && first >= 0 ? first : undefined;
}

/** One event as a frame (header and payload). */
export function encodeFrame(event: BeatEvent): Buffer {
  const t = event.timestamp.getTime();
  const meta = event.meta === undefined ? '' : `,"m":${JSON.stringify(event.meta)}`;
  // Fields already encoded (an EncodedEvent) go in as they are.
  const json = `{"t":${Number.isFinite(t) ? t : 'null'},"f":${event.encodedFields ?? JSON.stringify(event.fields)}${meta}}`;
  const length = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  frame.write(json, FRAME_HEADER_BYTES, 'utf8');
  frame.writeUInt32LE(length, 0);
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** The event in a frame's payload; throws on a payload that is not one. */
export function decodeFramePayload(payload: Buffer): BeatEvent {
  const record = JSON.parse(payload.toString('utf8')) as { t?: unknown; f?: unknown; m?: unknown };
  if (typeof record.t !== 'number' || typeof record.f !== 'object' || record.f === null) throw new Error('not an event frame');
  const event: BeatEvent = { timestamp: new Date(record.t), fields: record.f as EventFields };
  if (typeof record.m === 'object' && record.m !== null) event.meta = record.m as EventFields;
  return event;
}

/** Where a segment's frames are, found by reading it through. */
export interface SegmentScan {
  readonly firstFrame: number;
  /** Byte offset of each intact frame. */
  readonly offsets: number[];
  /** Bytes up to the end of the last intact frame. */
  readonly validBytes: number;
  /** File length; larger than `validBytes` when the tail is torn or damaged. */
  readonly fileBytes: number;
}

/**
 * Reads a segment's frames and checks each one's CRC. Stops at the first torn
 * or damaged frame: what follows it cannot be framed reliably. `undefined`
 * when the header is missing or foreign.
 */
export function scanSegment(file: string): SegmentScan | undefined {
  const data = fs.readFileSync(file);
  const firstFrame = decodeSegmentHeader(data);
  if (firstFrame === undefined) return undefined;
  const offsets: number[] = [];
  let at = SEGMENT_HEADER_BYTES;
  while (at + FRAME_HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(at);
    const end = at + FRAME_HEADER_BYTES + length;
    if (end > data.length) break;
    if (crc32(data.subarray(at + FRAME_HEADER_BYTES, end)) !== data.readUInt32LE(at + 4)) break;
    offsets.push(at);
    at = end;
  }
  return { firstFrame, offsets, validBytes: at, fileBytes: data.length };
}
