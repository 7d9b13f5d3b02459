/**
 * Packets on their way from the coordinator to a worker: many records in one
 * ArrayBuffer, whose ownership moves between the threads (postMessage with a
 * transfer list: no copy) and comes back empty for reuse.
 *
 * A record, little-endian, 8-byte aligned:
 *
 *   0  f64 seq       position in the capture (expiry records get their own)
 *   8  f64 nowUs     the engine clock: the largest packet time so far
 *  16  u32 kind      PACKET or EXPIRE
 *  20  u32 capLen
 *  24  u32 origLen
 *  28  u32 tsSec
 *  32  u32 tsNsec
 *  36  u32 linkType
 *  40  i32 vlan0     for reassembled datagrams (sent as RAW IP), else -1
 *  44  i32 vlan1
 *  48  capLen bytes of packet data, padded to 8
 */
export const RECORD_HEADER_BYTES = 48;
export const RecordKind = { PACKET: 0, EXPIRE: 1 } as const;

/** The padded size of a record holding `capLen` bytes. */
export function recordBytes(capLen: number): number {
  return RECORD_HEADER_BYTES + ((capLen + 7) & ~7);
}

/** Fills one batch buffer with records. */
export class BatchWriter {
  readonly buffer: ArrayBuffer;
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  used = 0;
  records = 0;

  constructor(buffer: ArrayBuffer) {
    this.buffer = buffer;
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
  }

  fits(capLen: number): boolean {
    return this.used + recordBytes(capLen) <= this.buffer.byteLength;
  }

  /** Appends a record; the caller checked `fits` (or the buffer is empty and was sized for it). */
  write(seq: number, nowUs: number, kind: number, data: Uint8Array | undefined, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number, vlan0: number, vlan1: number): void {
    const v = this.view;
    const at = this.used;
    v.setFloat64(at, seq, true);
    v.setFloat64(at + 8, nowUs, true);
    v.setUint32(at + 16, kind, true);
    v.setUint32(at + 20, capLen, true);
    v.setUint32(at + 24, origLen, true);
    v.setUint32(at + 28, tsSec, true);
    v.setUint32(at + 32, tsNsec, true);
    v.setUint32(at + 36, linkType, true);
    v.setInt32(at + 40, vlan0, true);
    v.setInt32(at + 44, vlan1, true);
    if (data !== undefined && capLen > 0) this.bytes.set(data.subarray(offset, offset + capLen), at + RECORD_HEADER_BYTES);
    this.used = at + recordBytes(capLen);
    this.records++;
  }
}

/** What a worker reads of each record; `data` views the batch buffer. */
export interface RecordVisitor {
  packet(seq: number, nowUs: number, data: Buffer, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number, vlan0: number, vlan1: number): void;
  expire(seq: number, nowUs: number): void;
}

/** Walks the `used` bytes of a batch buffer. */
export function readBatch(buffer: ArrayBuffer, used: number, visit: RecordVisitor): void {
  const v = new DataView(buffer);
  const data = Buffer.from(buffer);
  for (let at = 0; at + RECORD_HEADER_BYTES <= used; ) {
    const seq = v.getFloat64(at, true);
    const nowUs = v.getFloat64(at + 8, true);
    const kind = v.getUint32(at + 16, true);
    const capLen = v.getUint32(at + 20, true);
    if (kind === RecordKind.EXPIRE) visit.expire(seq, nowUs);
    else {
      visit.packet(seq, nowUs, data, at + RECORD_HEADER_BYTES, capLen, v.getUint32(at + 24, true), v.getUint32(at + 28, true), v.getUint32(at + 32, true), v.getUint32(at + 36, true), v.getInt32(at + 40, true), v.getInt32(at + 44, true));
    }
    at += recordBytes(capLen);
  }
}
