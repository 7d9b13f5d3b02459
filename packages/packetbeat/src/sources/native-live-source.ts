import { setTimeout as sleep } from 'node:timers/promises';
import { BeatError, ErrorCodes, errorMessage, type Gauge } from '@packetbeat-ts/libbeat';
import { LinkType, type PacketSink } from '../capture/packet-sink.js';
import { RECORD_HEADER_BYTES, type NativeCaptureStats, type NativeOpenResult, type NativePcap } from '../capture/native-pcap.js';
import type { LiveCaptureOptions } from './live-source.js';

/** The block the binding fills per call into JavaScript. */
const BLOCK_BYTES = 4 * 1024 * 1024;
/**
 * libpcap's packet buffer timeout: the kernel hands over packets at least this
 * often (TPACKET_V3 blocks on Linux), so a quiet link sees them within it.
 */
const TIMEOUT_MS = 100;
/**
 * Packets handled per turn of the event loop. More waiting in the kernel are
 * read on the next turn, so the outputs get to run between blocks: one
 * unbounded block (tens of thousands of packets) would fill the queue before
 * the output could take anything from it, and live capture drops then.
 */
const MAX_PACKETS_PER_TURN = 2048;
/** How often the kernel's counts are copied into the metrics. */
const STATS_PERIOD_MS = 1000;

const LINK_NAMES = new Map<number, string>(Object.entries(LinkType).map(([name, value]) => [value, name]));

/**
 * Captures live through Packetbeat's own libpcap binding until `signal`
 * aborts. Packets arrive in blocks (one JavaScript call per block, records
 * read straight from the shared buffer) with the kernel's timestamps; the
 * kernel's received/dropped counts go to `packetbeat.capture.*`.
 *
 * `options.device` must already be resolved to a device name (see
 * `captureLive`). Returns the number of packets handed to the sink.
 */
export async function captureLiveNative(binding: NativePcap, sink: PacketSink, options: LiveCaptureOptions): Promise<number> {
  const { device, filter, logger, signal } = options;
  const snaplen = options.snaplen;
  const buffer = Buffer.alloc(Math.max(BLOCK_BYTES, RECORD_HEADER_BYTES + 2 * snaplen));
  const words = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength >>> 2);
  const handle = new binding.Capture();

  let packets = 0;
  let linkType: number = LinkType.ETHERNET;
  // A sink that throws or a device that fails ends the capture with that error.
  let failed = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const fail = (err: unknown): void => {
    handle.close();
    if (!failed) {
      failed = true;
      failure = err;
    }
    wake?.();
  };
  let moreScheduled = false;
  const readMore = (): void => {
    moreScheduled = false;
    if (failed || signal.aborted) return;
    try {
      handle.readNow(true);
    } catch (err) {
      fail(err);
    }
  };
  const onBatch = (count: number): void => {
    let offset = 0;
    let i = 0;
    try {
      for (; i < count; i++) {
        const w = offset >>> 2;
        const capLen = words[w + 2] ?? 0;
        sink.packet(buffer, offset + RECORD_HEADER_BYTES, capLen, words[w + 3] ?? 0, words[w] ?? 0, words[w + 1] ?? 0, linkType);
        offset += RECORD_HEADER_BYTES + ((capLen + 3) & ~3);
      }
      // A full block: the kernel may hold more. Read it after the outputs had their turn.
      if (count >= MAX_PACKETS_PER_TURN && !moreScheduled) {
        moreScheduled = true;
        setImmediate(readMore);
      }
    } catch (err) {
      fail(err);
    }
    packets += i;
  };
  const onError = (err: Error): void => fail(new BeatError(ErrorCodes.NO_PACKET_SOURCE, `capture on ${device} failed: ${err.message}`, { cause: err }));

  let opened: NativeOpenResult;
  try {
    opened = handle.open(
      device,
      { snaplen, bufferSize: Math.min(options.bufferSizeMb * 1024 * 1024, 0x7fffffff), promisc: options.promiscuous === true, immediate: false, timeoutMs: TIMEOUT_MS, filter, direction: options.ignoreOutgoing === true ? 'in' : 'inout', tstampNano: true, maxPackets: MAX_PACKETS_PER_TURN },
      buffer,
      onBatch,
      onError,
    );
  } catch (err) {
    handle.close();
    throw new BeatError(ErrorCodes.NO_PACKET_SOURCE, `cannot capture on ${device}${filter === '' ? '' : ` with filter "${filter}"`}: ${errorMessage(err)}`, { cause: err });
  }
  const linkName = LINK_NAMES.get(opened.linkType);
  if (linkName === undefined) {
    handle.close();
    throw new BeatError(ErrorCodes.NO_PACKET_SOURCE, `cannot capture on ${device}: unsupported link type (LINKTYPE ${opened.linkType}, DLT ${opened.dlt})`);
  }
  linkType = opened.linkType;
  if (opened.warning !== undefined) logger.warn(`capture on ${device}: ${opened.warning}`);

  const gauges = options.metrics === undefined ? undefined : statsGauges(options.metrics.scope('packetbeat.capture'));
  let last: NativeCaptureStats | undefined;
  const readStats = (): void => {
    try {
      last = handle.stats();
    } catch {
      return; // closed after a failure: keep the last counts
    }
    if (gauges !== undefined) {
      gauges.received.set(last.received);
      gauges.dropped.set(last.dropped);
      gauges.ifDropped.set(last.ifDropped);
    }
  };
  readStats();
  const statsTimer = setInterval(readStats, STATS_PERIOD_MS);
  statsTimer.unref();

  logger.info(`capturing on ${device}`, { filter, link_type: linkName, snaplen: opened.snaplen, timestamps: opened.precision, source: 'libpcap (native)' });
  try {
    await new Promise<void>((resolve) => {
      if (failed || signal.aborted) return resolve();
      const done = (): void => {
        signal.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      };
      wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
    if (!failed) {
      // The last packet-buffer timeout's packets are still in the kernel: wait for them, then take all it holds.
      await sleep(TIMEOUT_MS);
      if (!failed) handle.readNow();
      readStats();
    }
  } finally {
    clearInterval(statsTimer);
    handle.close();
  }
  if (failed) throw failure;
  const kernel = last ?? { received: 0, dropped: 0, ifDropped: 0 };
  logger.info(`capture on ${device} stopped: ${packets} packets (kernel: received ${kernel.received}, dropped ${kernel.dropped}, dropped by the interface ${kernel.ifDropped})`, {
    packets,
    received: kernel.received,
    dropped: kernel.dropped,
    if_dropped: kernel.ifDropped,
  });
  return packets;
}

function statsGauges(m: { gauge(name: string): Gauge }): { received: Gauge; dropped: Gauge; ifDropped: Gauge } {
  return { received: m.gauge('received'), dropped: m.gauge('dropped'), ifDropped: m.gauge('if_dropped') };
}
