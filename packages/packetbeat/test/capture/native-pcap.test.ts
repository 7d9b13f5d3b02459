import { expect } from 'chai';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { promisify } from 'node:util';
import { MetricsRegistry, type Logger, type LogFields } from '@packetbeat-ts/libbeat';
import { loadNativePcap, RECORD_HEADER_BYTES, type NativeCapture, type NativeOpenOptions, type NativeOpenResult, type NativePcap } from '../../src/capture/native-pcap.js';
import type { PacketSink } from '../../src/capture/packet-sink.js';
import { captureLiveNative } from '../../src/sources/native-live-source.js';
import { liveCaptureBackend } from '../../src/sources/live-source.js';
import { skipUnlessLive } from '../support/live.js';

const run = promisify(execFile);

/** Ethernet (lo) + IPv4 + UDP headers before a datagram's payload. */
const UDP_OVERHEAD = 14 + 20 + 8;

interface CapturedPacket {
  tsSec: number;
  tsNsec: number;
  capLen: number;
  origLen: number;
  data: Buffer;
}

function unavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'live capture needs root';
  const load = loadNativePcap();
  return load.binding === undefined ? load.reason : undefined;
}

function binding(): NativePcap {
  const load = loadNativePcap();
  if (load.binding === undefined) throw new Error(load.reason);
  return load.binding;
}

/** An open capture that decodes every block into `packets` (copies: tests only). */
function openCapture(options: NativeOpenOptions): { handle: NativeCapture; opened: NativeOpenResult; packets: CapturedPacket[]; batches: number[] } {
  const handle = new (binding().Capture)();
  const buffer = Buffer.alloc(4 * 1024 * 1024);
  const words = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength >>> 2);
  const packets: CapturedPacket[] = [];
  const batches: number[] = [];
  const opened = handle.open(
    'lo',
    { timeoutMs: 20, ...options },
    buffer,
    (count, bytesUsed) => {
      batches.push(count);
      let offset = 0;
      for (let i = 0; i < count; i++) {
        const w = offset >>> 2;
        const capLen = words[w + 2] ?? 0;
        packets.push({ tsSec: words[w] ?? 0, tsNsec: words[w + 1] ?? 0, capLen, origLen: words[w + 3] ?? 0, data: Buffer.from(buffer.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + capLen)) });
        offset += RECORD_HEADER_BYTES + ((capLen + 3) & ~3);
      }
      expect(offset).to.equal(bytesUsed);
    },
    (err) => {
      throw err;
    },
  );
  return { handle, opened, packets, batches };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A bound UDP receiver (so no ICMP port-unreachable answers) and a sender to it. */
async function udpPair(): Promise<{ port: number; send: (payload: Buffer) => Promise<void>; close: () => void }> {
  const receiver = dgram.createSocket('udp4');
  const sender = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  const port = receiver.address().port;
  return {
    port,
    send: (payload) => new Promise<void>((resolve, reject) => sender.send(payload, port, '127.0.0.1', (err) => (err ? reject(err) : resolve()))),
    close: () => {
      receiver.close();
      sender.close();
    },
  };
}

/** The UDP destination port of an Ethernet/IPv4 frame. */
function udpDstPort(frame: Buffer): number {
  const ihl = ((frame[14] ?? 0) & 0x0f) * 4;
  return frame.readUInt16BE(14 + ihl + 2);
}

describe('native libpcap capture (live on lo)', function () {
  this.timeout(20_000);
  const opened: NativeCapture[] = [];

  beforeEach(function () {
    skipUnlessLive(this, unavailable());
  });

  afterEach(() => {
    for (const handle of opened.splice(0)) handle.close();
  });

  it('loads and lists lo among the devices', () => {
    const pcap = binding();
    expect(pcap.libVersion).to.match(/libpcap/);
    const lo = pcap.deviceList().find((d) => d.name === 'lo');
    expect(lo, 'lo').to.not.equal(undefined);
    expect(lo?.loopback).to.equal(true);
    expect(lo?.addresses.map((a) => a.addr)).to.include('127.0.0.1');
  });

  it("direction (packetbeat.interfaces.ignore_outgoing takes 'in'): on lo every packet is received, none is sent", async () => {
    const udp = await udpPair();
    try {
      const inbound = openCapture({ filter: `udp dst port ${udp.port}`, direction: 'in' });
      const outbound = openCapture({ filter: `udp dst port ${udp.port}`, direction: 'out' });
      opened.push(inbound.handle, outbound.handle);
      for (let i = 0; i < 3; i++) await udp.send(Buffer.from('direction'));
      await until(() => inbound.packets.length >= 3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      outbound.handle.readNow();
      expect(inbound.packets).to.have.length(3);
      expect(outbound.packets).to.have.length(0);
    } finally {
      udp.close();
    }
  });

  it('delivers UDP datagrams in blocks with kernel nanosecond timestamps and the right lengths', async () => {
    const udp = await udpPair();
    try {
      const cap = openCapture({ filter: `udp dst port ${udp.port}` });
      opened.push(cap.handle);
      expect(cap.opened.linkType).to.equal(1);
      expect(cap.handle.linkType()).to.equal(1);
      expect(cap.opened.precision).to.equal('nano');
      const sizes = [1, 100, 333, 1000, 1400];
      const before = Date.now();
      for (const size of sizes) await udp.send(Buffer.alloc(size, size & 0xff));
      await until(() => cap.packets.length >= sizes.length);
      const after = Date.now();
      expect(cap.packets.map((p) => p.origLen)).to.deep.equal(sizes.map((s) => s + UDP_OVERHEAD));
      expect(cap.packets.map((p) => p.capLen)).to.deep.equal(sizes.map((s) => s + UDP_OVERHEAD));
      // Fewer calls than packets: the kernel hands them over in blocks.
      expect(cap.batches.length).to.be.at.most(sizes.length);
      let previous = 0;
      for (const [i, p] of cap.packets.entries()) {
        const ms = p.tsSec * 1000 + p.tsNsec / 1e6;
        expect(p.tsNsec).to.be.within(0, 999_999_999);
        expect(ms).to.be.within(before - 1000, after + 1000);
        expect(ms).to.be.at.least(previous);
        previous = ms;
        expect(udpDstPort(p.data)).to.equal(udp.port);
        const size = sizes[i] ?? 0;
        expect(p.data.subarray(UDP_OVERHEAD).equals(Buffer.alloc(size, size & 0xff))).to.equal(true);
      }
      // Sub-millisecond digits: timestamps from the kernel, not Date.now().
      expect(cap.packets.some((p) => p.tsNsec % 1_000_000 !== 0)).to.equal(true);
    } finally {
      udp.close();
    }
  });

  it('honours snaplen: capLen is cut, origLen stays the wire length', async () => {
    const udp = await udpPair();
    try {
      const cap = openCapture({ filter: `udp dst port ${udp.port}`, snaplen: 64 });
      opened.push(cap.handle);
      expect(cap.opened.snaplen).to.equal(64);
      await udp.send(Buffer.alloc(500, 7));
      await udp.send(Buffer.alloc(10, 7));
      await until(() => cap.packets.length >= 2);
      expect(cap.packets.map((p) => [p.capLen, p.origLen])).to.deep.equal([
        [64, 500 + UDP_OVERHEAD],
        [10 + UDP_OVERHEAD, 10 + UDP_OVERHEAD],
      ]);
      expect(cap.packets[0]?.data.length).to.equal(64);
    } finally {
      udp.close();
    }
  });

  it('honours the BPF filter', async () => {
    const wanted = await udpPair();
    const other = await udpPair();
    try {
      const cap = openCapture({ filter: `udp dst port ${wanted.port}` });
      opened.push(cap.handle);
      for (let i = 0; i < 5; i++) {
        await other.send(Buffer.from('not this one'));
        await wanted.send(Buffer.from(`this one ${i}`));
      }
      await until(() => cap.packets.length >= 5);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(cap.packets).to.have.length(5);
      expect(cap.packets.every((p) => udpDstPort(p.data) === wanted.port)).to.equal(true);
    } finally {
      wanted.close();
      other.close();
    }
  });

  it('captures ping (ICMP echo) and counts in stats()', async () => {
    const cap = openCapture({ filter: 'icmp and host 127.0.0.1 and icmp[icmptype] == icmp-echo and len == 79' });
    opened.push(cap.handle);
    await run('ping', ['-c', '3', '-i', '0.2', '-s', '37', '127.0.0.1']);
    await until(() => cap.packets.length >= 3);
    expect(cap.packets).to.have.length(3);
    expect(cap.packets.every((p) => p.origLen === 14 + 20 + 8 + 37 && p.data[14 + 9] === 1)).to.equal(true);
    const stats = cap.handle.stats();
    // lo shows the kernel each packet twice (out and in); libpcap keeps one.
    expect(stats.received).to.be.at.least(3);
    expect(stats.dropped).to.equal(0);
    expect(stats.ifDropped).to.equal(0);
  });

  it('readNow() takes what the kernel holds at once; close() is idempotent and final', async () => {
    const udp = await udpPair();
    try {
      const cap = openCapture({ filter: `udp dst port ${udp.port}`, immediate: true });
      await udp.send(Buffer.from('drain me'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const read = cap.handle.readNow();
      await until(() => cap.packets.length >= 1);
      expect(cap.packets).to.have.length(1);
      expect(read).to.be.within(0, 1);
      cap.handle.close();
      cap.handle.close();
      expect(cap.handle.readNow()).to.equal(0);
      expect(() => cap.handle.stats()).to.throw(/not open/);
      expect(() => cap.handle.open('lo', {}, Buffer.alloc(1 << 20), () => undefined, () => undefined)).to.throw(/closed/);
      await udp.send(Buffer.from('after close'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(cap.packets).to.have.length(1);
    } finally {
      udp.close();
    }
  });

  it('close() from inside the batch callback stops the capture', async () => {
    const udp = await udpPair();
    try {
      const handle = new (binding().Capture)();
      opened.push(handle);
      let calls = 0;
      handle.open('lo', { filter: `udp dst port ${udp.port}`, immediate: true }, Buffer.alloc(1 << 20), () => {
        calls++;
        handle.close();
      }, () => undefined);
      await udp.send(Buffer.from('one'));
      await until(() => calls > 0);
      await udp.send(Buffer.from('two'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(calls).to.equal(1);
    } finally {
      udp.close();
    }
  });

  it('a bad device, a bad filter or a bad option throws with the reason', () => {
    const pcap = binding();
    const noop = (): void => undefined;
    expect(() => new pcap.Capture().open('no-such-dev0', {}, Buffer.alloc(1 << 20), noop, noop)).to.throw(/no such device/i);
    expect(() => new pcap.Capture().open('lo', { filter: 'udp port banana' }, Buffer.alloc(1 << 20), noop, noop)).to.throw(/bad filter "udp port banana": .*(syntax error|unknown port|illegal)/i);
    expect(() => new pcap.Capture().open('lo', { snaplen: 65535 }, Buffer.alloc(1024), noop, noop)).to.throw(/smaller than one full-size packet/);
    expect(() => new pcap.Capture().open('lo', { direction: 'sideways' as 'in' }, Buffer.alloc(1 << 20), noop, noop)).to.throw(/direction/);
  });
});

describe('native live source (captureLiveNative on lo)', function () {
  this.timeout(20_000);

  beforeEach(function () {
    skipUnlessLive(this, unavailable());
  });

  function testLogger(lines: string[]): Logger {
    const log = (message: string, fields?: LogFields): void => {
      lines.push(fields === undefined ? message : `${message} ${JSON.stringify(fields)}`);
    };
    const logger: Logger = { name: 'test', debug: log, info: log, warn: log, error: log, isDebugEnabled: () => false, named: () => logger };
    return logger;
  }

  it('hands the sink kernel timestamps and keeps the capture metrics', async () => {
    const udp = await udpPair();
    const lines: string[] = [];
    const metrics = new MetricsRegistry();
    const seen: Array<{ capLen: number; origLen: number; tsSec: number; tsNsec: number; linkType: number; port: number }> = [];
    const sink: PacketSink = {
      packet(data, offset, capLen, origLen, tsSec, tsNsec, linkType) {
        seen.push({ capLen, origLen, tsSec, tsNsec, linkType, port: udpDstPort(data.subarray(offset, offset + capLen)) });
      },
    };
    const abort = new AbortController();
    try {
      const done = captureLiveNative(binding(), sink, { device: 'lo', filter: `udp dst port ${udp.port}`, bufferSizeMb: 4, snaplen: 65535, signal: abort.signal, logger: testLogger(lines), metrics });
      await until(() => lines.some((l) => l.startsWith('capturing on lo')));
      const before = Date.now();
      for (let i = 0; i < 20; i++) await udp.send(Buffer.alloc(50 + i));
      // The last ones may still be in the kernel: stopping drains them.
      abort.abort();
      expect(await done).to.equal(20);
      expect(seen).to.have.length(20);
      for (const [i, p] of seen.entries()) {
        expect(p).to.include({ capLen: 50 + i + UDP_OVERHEAD, origLen: 50 + i + UDP_OVERHEAD, linkType: 1, port: udp.port });
        expect(p.tsSec * 1000 + p.tsNsec / 1e6).to.be.within(before - 1000, Date.now() + 1000);
      }
      const flat = metrics.flat();
      expect(flat.get('packetbeat.capture.received')).to.be.at.least(20);
      expect(flat.get('packetbeat.capture.dropped')).to.equal(0);
      expect(flat.get('packetbeat.capture.if_dropped')).to.equal(0);
      expect(lines.some((l) => /^capture on lo stopped: 20 packets \(kernel: received \d+, dropped 0/.test(l))).to.equal(true, lines.join('\n'));
    } finally {
      abort.abort();
      udp.close();
    }
  });

  it('ends with the sink error when the sink throws', async () => {
    const udp = await udpPair();
    const lines: string[] = [];
    const abort = new AbortController();
    try {
      const sink: PacketSink = {
        packet() {
          throw new Error('sink exploded');
        },
      };
      const done = captureLiveNative(binding(), sink, { device: 'lo', filter: `udp dst port ${udp.port}`, bufferSizeMb: 4, snaplen: 65535, signal: abort.signal, logger: testLogger(lines) });
      await until(() => lines.some((l) => l.startsWith('capturing on lo')));
      await udp.send(Buffer.from('boom'));
      let error: unknown;
      await done.catch((err: unknown) => (error = err));
      expect(String(error)).to.include('sink exploded');
    } finally {
      abort.abort();
      udp.close();
    }
  });

  it('a bad filter fails with BEAT_ERR_NO_PACKET_SOURCE naming device, filter and pcap message', async () => {
    let error: unknown;
    await captureLiveNative(binding(), { packet: () => undefined }, { device: 'lo', filter: 'tcp port nope', bufferSizeMb: 4, snaplen: 65535, signal: new AbortController().signal, logger: testLogger([]) }).catch((err: unknown) => (error = err));
    expect(error).to.have.property('code', 'BEAT_ERR_NO_PACKET_SOURCE');
    expect(String(error)).to.match(/cannot capture on lo with filter "tcp port nope": bad filter/);
  });
});

describe('live capture backend selection', () => {
  const saved = process.env['PACKETBEAT_CAPTURE'];
  afterEach(() => {
    if (saved === undefined) delete process.env['PACKETBEAT_CAPTURE'];
    else process.env['PACKETBEAT_CAPTURE'] = saved;
  });

  it('prefers the native binding when it is built', () => {
    delete process.env['PACKETBEAT_CAPTURE'];
    if (loadNativePcap().binding === undefined) return;
    expect(liveCaptureBackend().kind).to.equal('native');
  });

  it('PACKETBEAT_CAPTURE=cap insists on cap, and an unknown value is a config error', () => {
    process.env['PACKETBEAT_CAPTURE'] = 'cap';
    let kind: string;
    try {
      kind = liveCaptureBackend().kind;
    } catch (err) {
      kind = String(err);
    }
    expect(kind).to.match(/^cap$|apt-get install libpcap-dev/);
    process.env['PACKETBEAT_CAPTURE'] = 'pcap-ng';
    expect(() => liveCaptureBackend()).to.throw(/PACKETBEAT_CAPTURE=pcap-ng: expected native or cap/);
  });
});
