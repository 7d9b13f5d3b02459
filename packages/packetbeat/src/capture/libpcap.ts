import { createRequire } from 'node:module';
import { BeatError, ErrorCodes, errorMessage } from '@packetbeat-ts/libbeat';

/** An interface as libpcap lists it. */
export interface CaptureDevice {
  readonly name: string;
  readonly description?: string;
  readonly addresses: ReadonlyArray<{ readonly addr: string; readonly netmask?: string; readonly broadaddr?: string }>;
  readonly flags?: string;
}

/** A `cap` capture handle. */
export interface CapHandle {
  /** Returns the link type name (`ETHERNET`, `NULL`, `LINKTYPE_LINUX_SLL`, `RAW`) or an error text. */
  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
  close(): void;
}

/** The part of the `cap` package we use (it ships no types). */
export interface CapModule {
  readonly Cap: {
    new (): CapHandle;
    deviceList(): CaptureDevice[];
    findDevice(ip?: string): string | undefined;
  };
}

const INSTALL_HINT =
  'live capture needs libpcap and the optional "cap" package: install the libpcap headers (Debian/Ubuntu: apt-get install libpcap-dev) and run npm ci again';

let cached: CapModule | BeatError | undefined;

/**
 * Loads `cap`, an optional dependency: it is compiled against libpcap at
 * install time and is absent where the headers were missing. The failure is
 * a BeatError naming the Debian package to install.
 */
export function loadLibpcap(): CapModule {
  if (cached === undefined) {
    try {
      const require = createRequire(import.meta.url);
      cached = require('cap') as CapModule;
    } catch (err) {
      cached = new BeatError(ErrorCodes.NO_PACKET_SOURCE, `${INSTALL_HINT} (${errorMessage(err).split('\n')[0] ?? ''})`, { cause: err });
    }
  }
  if (cached instanceof BeatError) throw cached;
  return cached;
}
