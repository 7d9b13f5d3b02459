import { constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

function decodeOne(body: Buffer, coding: string, maxSize: number): Buffer {
  const opts = { maxOutputLength: Math.max(1, maxSize), finishFlush: constants.Z_SYNC_FLUSH };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body, opts);
    case 'deflate':
    case 'x-deflate':
      // Go's flate reader takes raw deflate; many servers send zlib-wrapped data: accept both.
      try {
        return inflateRawSync(body, opts);
      } catch {
        return inflateSync(body, opts);
      }
    case 'identity':
      return body;
    default:
      throw new Error('decoder not found');
  }
}

/**
 * Undoes the content/transfer codings, last applied first. On failure the
 * body is what could be decoded (nothing if an outer coding failed) and the
 * error reads as Packetbeat's note: `unable to decode body using gzip encoding: …`.
 */
export function decodeBody(body: Buffer, encodings: readonly string[], maxSize: number): { body: Buffer; error?: string } {
  let current = body;
  for (let i = encodings.length - 1; i >= 0; i--) {
    const coding = encodings[i] ?? '';
    try {
      current = decodeOne(current, coding, maxSize);
    } catch (err) {
      const reason = err instanceof RangeError ? 'body truncated due to size limitation' : err instanceof Error ? err.message : String(err);
      return { body: i === 0 ? current : Buffer.alloc(0), error: `unable to decode body using ${coding} encoding: ${reason}` };
    }
  }
  return { body: current };
}
