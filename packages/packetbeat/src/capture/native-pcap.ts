import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '@packetbeat-ts/libbeat';

/**
 * Packetbeat's own libpcap binding (packages/packetbeat/native), built by the
 * package's install script. It reads on the event loop (no thread) and hands
 * JavaScript whole blocks of packets with their kernel timestamps.
 */

/** What `open()` is given. Every field has a default. */
export interface NativeOpenOptions {
  /** Bytes kept of each packet (default 65535). */
  readonly snaplen?: number;
  /** Kernel capture buffer in bytes (default: libpcap's, 2 MiB on Linux). */
  readonly bufferSize?: number;
  /** Promiscuous mode (default true). */
  readonly promisc?: boolean;
  /** Deliver each packet as soon as it arrives (default false: the kernel batches up to `timeoutMs`). */
  readonly immediate?: boolean;
  /** The packet buffer timeout in milliseconds (default 100). */
  readonly timeoutMs?: number;
  /** A BPF filter (default none). */
  readonly filter?: string;
  /** Which packets to take (default `inout`). */
  readonly direction?: 'in' | 'out' | 'inout';
  /** Ask for nanosecond timestamps (default true); micro when the device cannot. */
  readonly tstampNano?: boolean;
  /** Most packets per call into JavaScript (default 0: as many as the buffer holds). */
  readonly maxPackets?: number;
}

/** What `open()` found. */
export interface NativeOpenResult {
  /** The LINKTYPE_* number (tcpdump.org/linktypes.html). */
  readonly linkType: number;
  /** The DLT_* value libpcap reported (differs from linkType for RAW and a few others). */
  readonly dlt: number;
  /** The snapshot length in force. */
  readonly snaplen: number;
  readonly precision: 'nano' | 'micro';
  /** pcap_activate()'s warning, if it gave one (e.g. promiscuous mode not supported). */
  readonly warning?: string;
}

/** pcap_stats(): counts since the capture opened. */
export interface NativeCaptureStats {
  /**
   * Packets the filter accepted. Linux counts what the socket saw before
   * libpcap's own checks: on `lo` every packet is seen twice (going out and
   * coming in) and libpcap delivers one, so this is twice the packets.
   */
  readonly received: number;
  /** Packets dropped because the kernel buffer was full (on `lo`, both copies count). */
  readonly dropped: number;
  /** Packets the interface or its driver dropped. */
  readonly ifDropped: number;
}

/**
 * One capture handle. `open()` reads into `buffer` as records
 * `[u32 tsSec][u32 tsNsec][u32 capLen][u32 origLen][capLen bytes padded to 4]`
 * in host byte order, and calls `onBatch(count, bytesUsed)` once per block.
 * The records are valid only during that call. `buffer` must be 4-byte
 * aligned (Buffer.alloc of 4 KiB or more is) and hold one full-size packet.
 */
export interface NativeCapture {
  open(
    device: string,
    options: NativeOpenOptions,
    buffer: Buffer,
    onBatch: (count: number, bytesUsed: number) => void,
    onError: (error: Error) => void,
  ): NativeOpenResult;
  /** Reads what the kernel holds now (`once`: one block at most), calling onBatch synchronously; returns the packets delivered. */
  readNow(once?: boolean): number;
  stats(): NativeCaptureStats;
  linkType(): number;
  /** Stops reading and closes the device. Idempotent; allowed from the callbacks. */
  close(): void;
}

/** An interface as pcap_findalldevs() lists it. */
export interface NativeDevice {
  readonly name: string;
  readonly description?: string;
  readonly addresses: ReadonlyArray<{ readonly addr: string; readonly netmask?: string; readonly broadaddr?: string }>;
  readonly loopback: boolean;
  readonly up: boolean;
  readonly running: boolean;
}

export interface NativePcap {
  readonly Capture: new () => NativeCapture;
  deviceList(): NativeDevice[];
  /** pcap_lib_version(). */
  readonly libVersion: string;
}

/** Bytes before each packet's data in a record. */
export const RECORD_HEADER_BYTES = 16;

export type NativePcapLoad = { readonly binding: NativePcap; readonly path: string } | { readonly binding: undefined; readonly reason: string };

const BINDING = 'native/build/Release/packetbeat_pcap.node';

let cached: NativePcapLoad | undefined;

/** The package directory: this file is src/capture/ (ts) or dist/src/capture/ (compiled). */
function packageDir(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (fs.existsSync(path.join(dir, 'native', 'binding.gyp')) || fs.existsSync(path.join(dir, BINDING))) return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

/**
 * Loads the native binding once. Returns `binding: undefined` with the reason
 * when it is absent (never built: no libpcap headers at install time) or does
 * not load.
 */
export function loadNativePcap(): NativePcapLoad {
  if (cached !== undefined) return cached;
  const dir = packageDir();
  if (dir === undefined) return (cached = { binding: undefined, reason: 'the native capture sources are not in this installation' });
  const file = path.join(dir, BINDING);
  if (!fs.existsSync(file)) {
    let reason = `the native capture binding is not built (${file} is missing; run npm ci, or npm run build:native -w packages/packetbeat)`;
    try {
      const firstLine = fs.readFileSync(path.join(dir, 'native', 'build', 'install-error.log'), 'utf8').split('\n')[0];
      if (firstLine !== undefined && firstLine !== '') reason = `the native capture binding failed to build at install: ${firstLine} (apt-get install libpcap-dev, then npm ci)`;
    } catch {
      // No log: never attempted.
    }
    return (cached = { binding: undefined, reason });
  }
  try {
    const require = createRequire(import.meta.url);
    return (cached = { binding: require(file) as NativePcap, path: file });
  } catch (err) {
    return (cached = { binding: undefined, reason: `the native capture binding does not load: ${errorMessage(err).split('\n')[0] ?? ''}` });
  }
}
