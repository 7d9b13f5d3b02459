import { BeatError, ErrorCodes } from '@packetbeat-ts/libbeat';
import { DEFAULT_CHUNK_SIZE, FileChunks } from './file-chunks.js';
import type { CaptureDamage, CaptureDamageHandler } from './capture-damage.js';
import type { PacketSink } from './packet-sink.js';
import { PcapReader } from './pcap-reader.js';
import { PcapngReader } from './pcapng-reader.js';

export type { CaptureDamage, CaptureDamageHandler } from './capture-damage.js';

export interface CaptureFileOptions {
  /** Read size in bytes (default 4 MiB); the buffer grows only for a record larger than this. */
  readonly chunkSize?: number;
  /** Called once when damage stops the reading (also recorded in `reader.damage`). */
  readonly onDamage?: CaptureDamageHandler;
}

/**
 * A pcap or pcapng file read in batches. Packets go to a PacketSink as
 * views into the reader's buffer, valid only during the call.
 */
export interface CaptureFileReader {
  readonly path: string;
  readonly format: 'pcap' | 'pcapng';
  /**
   * pcap: the header's link type. pcapng: the link type of the first
   * interface of the current section (-1 until one has been read; each
   * packet carries its own interface's link type).
   */
  readonly linkType: number;
  /** True once the end of the file or damage was reached (until `rewind()`). */
  readonly done: boolean;
  /** Set when a truncated or corrupt record stopped the reading. */
  readonly damage: CaptureDamage | undefined;
  /** Packets delivered since open (or the last rewind). */
  readonly packets: number;
  /**
   * Timestamp of the packet the next `readBatch` will deliver first: valid
   * after a `readBatch` stopped at `untilSec/untilNsec`, or after
   * `peekNextTimestamp()` returned true.
   */
  readonly nextTsSec: number;
  readonly nextTsNsec: number;
  /**
   * Delivers up to `maxPackets` packets and returns how many. It stops
   * before a packet whose timestamp is later than (untilSec, untilNsec),
   * leaving that timestamp in nextTsSec/nextTsNsec (for pacing). Returns 0
   * at the end of the file, after damage, after close — or when the next
   * packet is later than `until`: check `done` to tell them apart.
   */
  readBatch(sink: PacketSink, maxPackets: number, untilSec?: number, untilNsec?: number): number;
  /** Reads up to the next packet without delivering it; false at the end. Sets nextTsSec/nextTsNsec. */
  peekNextTimestamp(): boolean;
  /** Starts again from the first packet (for `-l N` loops); clears `done`, `damage` and `packets`. */
  rewind(): void;
  close(): void;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;
const PCAPNG_SHB = 0x0a0d0d0a;

/**
 * Opens a capture file, telling pcap from pcapng by its magic number.
 * Throws a BeatError (BEAT_ERR_CONFIG_INVALID, naming the file) when the
 * file cannot be opened or is not a capture file (empty, wrong magic,
 * header cut short).
 */
export function openCaptureFile(path: string, options: CaptureFileOptions = {}): CaptureFileReader {
  const chunks = new FileChunks(path, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  try {
    if (chunks.size === 0) throw notCapture(path, 'the file is empty');
    if (!chunks.fill(4)) throw notCapture(path, `the file is only ${chunks.size} bytes long`);
    const magicLE = chunks.buf.readUInt32LE(0);
    const magicBE = chunks.buf.readUInt32BE(0);
    for (const [magic, littleEndian] of [
      [magicLE, true],
      [magicBE, false],
    ] as const) {
      if (magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS || magic === PCAP_MAGIC_KUZNETZOV) {
        if (!chunks.fill(24)) throw notCapture(path, 'the pcap file header is cut short');
        return new PcapReader(chunks, littleEndian, magic === PCAP_MAGIC_NS, magic === PCAP_MAGIC_KUZNETZOV, options.onDamage);
      }
    }
    if (magicLE === PCAPNG_SHB) {
      if (!chunks.fill(28)) throw notCapture(path, 'the pcapng section header is cut short');
      const bom = chunks.buf.readUInt32LE(8);
      if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) throw notCapture(path, 'the pcapng section header has no valid byte-order magic');
      return new PcapngReader(chunks, options.onDamage);
    }
    throw notCapture(path, `unknown magic number 0x${magicBE.toString(16).padStart(8, '0')}`);
  } catch (err) {
    chunks.close();
    throw err;
  }
}

function notCapture(path: string, why: string): BeatError {
  return new BeatError(ErrorCodes.CONFIG_INVALID, `${path} is not a pcap or pcapng capture file: ${why}`, { file: path });
}
