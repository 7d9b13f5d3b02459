import { BeatError, ErrorCodes, errorMessage, type Logger } from '@packetbeat-ts/libbeat';
import { loadLibpcap } from '../capture/libpcap.js';
import { LinkType, type PacketSink } from '../capture/packet-sink.js';

export interface LiveCaptureOptions {
  /** A device name, its index in `packetbeat devices`, or `any`. */
  readonly device: string;
  readonly filter: string;
  readonly bufferSizeMb: number;
  /** Bytes kept of each packet (`packetbeat.interfaces.snaplen`); `cap` itself always captures up to 65535. */
  readonly snaplen: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
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
 * Captures live through libpcap (`cap`) until `signal` aborts. `cap` hands
 * over one packet per call, without the kernel timestamp, so packet time is
 * the wall clock at arrival.
 */
export async function captureLive(sink: PacketSink, options: LiveCaptureOptions): Promise<number> {
  const { Cap } = loadLibpcap();
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
  options.logger.info(`capturing on ${device}`, { filter: options.filter, link_type: linkName });
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
