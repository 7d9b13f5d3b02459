import { BeatError, ErrorCodes, errorMessage, type Logger, type MetricsRegistry } from '@packetbeat-ts/libbeat';
import { loadLibpcap, type CapModule } from '../capture/libpcap.js';
import { loadNativePcap, type NativePcap } from '../capture/native-pcap.js';
import { LinkType, type PacketSink } from '../capture/packet-sink.js';
import { captureLiveNative } from './native-live-source.js';

export interface LiveCaptureOptions {
  /** A device name, its index in `packetbeat devices`, or `any`. */
  readonly device: string;
  readonly filter: string;
  readonly bufferSizeMb: number;
  /** Bytes kept of each packet (`packetbeat.interfaces.snaplen`); `cap` itself always captures up to 65535. */
  readonly snaplen: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The beat's registry: the native source keeps the kernel's counts in `packetbeat.capture.*`. */
  readonly metrics?: MetricsRegistry;
  /** `packetbeat.interfaces.ignore_outgoing`: only packets the interface receives (the native source; `cap` cannot). */
  readonly ignoreOutgoing?: boolean;
  /** `packetbeat.interfaces.auto_promisc_mode`: put the device in promiscuous mode (the native source; `cap` always does). */
  readonly promiscuous?: boolean;
}

/** The libpcap binding a live capture goes through. */
export type LiveCaptureBackend = { readonly kind: 'native'; readonly binding: NativePcap } | { readonly kind: 'cap'; readonly cap: CapModule };

/**
 * Picks the live capture backend: Packetbeat's own libpcap binding when it
 * was built at install, else the optional `cap` package, else a BeatError
 * naming what to install. PACKETBEAT_CAPTURE=native or =cap insists on one.
 */
export function liveCaptureBackend(): LiveCaptureBackend {
  const wanted = process.env['PACKETBEAT_CAPTURE'] ?? '';
  if (wanted !== '' && wanted !== 'native' && wanted !== 'cap') {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `PACKETBEAT_CAPTURE=${wanted}: expected native or cap`);
  }
  const native = wanted === 'cap' ? undefined : loadNativePcap();
  if (native?.binding !== undefined) return { kind: 'native', binding: native.binding };
  if (wanted === 'native') throw new BeatError(ErrorCodes.NO_PACKET_SOURCE, `PACKETBEAT_CAPTURE=native: ${native?.reason ?? ''}`);
  try {
    return { kind: 'cap', cap: loadLibpcap() };
  } catch (err) {
    if (native === undefined) throw err;
    throw new BeatError(
      ErrorCodes.NO_PACKET_SOURCE,
      `live capture needs libpcap: install the libpcap headers (Debian/Ubuntu: apt-get install libpcap-dev) and run npm ci again (${native.reason}; the optional "cap" package is not usable either)`,
      { cause: err },
    );
  }
}

const LINK_TYPES: Record<string, number> = {
  ETHERNET: LinkType.ETHERNET,
  NULL: LinkType.NULL,
  LINKTYPE_LINUX_SLL: LinkType.LINUX_SLL,
  RAW: LinkType.RAW,
};

/** The capture buffer `cap` writes into: kept referenced for the life of the capture, as `cap` requires. */
const CAPTURE_BUFFER_SIZE = 65_535;

/**
 * Captures live until `signal` aborts, through the backend `liveCaptureBackend()`
 * picks; returns the packets handed to the sink. Logs `capturing on <device>`
 * once the device is open.
 */
export async function captureLive(sink: PacketSink, options: LiveCaptureOptions): Promise<number> {
  const backend = liveCaptureBackend();
  if (backend.kind === 'native') {
    const device = resolveDevice(options.device, backend.binding.deviceList().map((d) => d.name));
    return captureLiveNative(backend.binding, sink, { ...options, device });
  }
  if (options.ignoreOutgoing === true) options.logger.warn('packetbeat.interfaces.ignore_outgoing needs the native capture source; the cap fallback captures both directions');
  return captureLiveCap(backend.cap, sink, options);
}

/**
 * Captures live through `cap` until `signal` aborts. `cap` hands over one
 * packet per call, without the kernel timestamp, so packet time is the wall
 * clock at arrival.
 */
async function captureLiveCap({ Cap }: CapModule, sink: PacketSink, options: LiveCaptureOptions): Promise<number> {
  const device = resolveDevice(options.device, Cap.deviceList().map((d) => d.name));
  const buffer = Buffer.alloc(CAPTURE_BUFFER_SIZE);
  const handle = new Cap();
  let linkName: string;
  try {
    linkName = handle.open(device, options.filter, options.bufferSizeMb * 1024 * 1024, buffer);
  } catch (err) {
    throw new BeatError(ErrorCodes.NO_PACKET_SOURCE, `cannot capture on ${device}${options.filter === '' ? '' : ` with filter "${options.filter}"`}: ${errorMessage(err)}`, { cause: err });
  }
  const linkType = LINK_TYPES[linkName];
  if (linkType === undefined) {
    handle.close();
    throw new BeatError(ErrorCodes.NO_PACKET_SOURCE, `cannot capture on ${device}: unsupported link type (${linkName})`);
  }
  let packets = 0;
  const snaplen = options.snaplen;
  handle.on('packet', (nbytes) => {
    packets++;
    const now = Date.now();
    const sec = Math.floor(now / 1000);
    sink.packet(buffer, 0, Math.min(nbytes, snaplen), nbytes, sec, (now - sec * 1000) * 1e6, linkType);
  });
  options.logger.info(`capturing on ${device}`, { filter: options.filter, link_type: linkName, source: 'cap' });
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  // The packet listener keeps `buffer` referenced until here, as `cap` needs.
  handle.close();
  return packets;
}

function resolveDevice(device: string, names: readonly string[]): string {
  if (/^\d+$/.test(device)) {
    const name = names[Number(device)];
    if (name === undefined) throw new BeatError(ErrorCodes.CONFIG_INVALID, `packetbeat.interfaces.device: no device with index ${device} (see packetbeat devices)`, { key: 'packetbeat.interfaces.device' });
    return name;
  }
  if (device !== 'any' && !names.includes(device)) {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `packetbeat.interfaces.device: no device named ${device} (known: ${names.join(', ')})`, { key: 'packetbeat.interfaces.device' });
  }
  return device;
}

/**
 * Packetbeat's default BPF filter: with flows enabled everything is captured;
 * otherwise the protocols' ports plus ICMP, and the same inside VLAN tags
 * with `with_vlans`.
 */
export function defaultBpfFilter(ports: ReadonlyArray<{ transport: 'tcp' | 'udp'; port: number }>, flows: boolean, withVlans: boolean): string {
  if (flows) return '';
  const parts = ports.map((p) => `${p.transport} port ${p.port}`);
  parts.push('icmp', 'icmp6');
  const base = parts.join(' or ');
  return withVlans ? `${base} or (vlan and (${base}))` : base;
}
