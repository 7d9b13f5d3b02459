/**
 * Synthetic captures, written with our PcapWriter:
 *
 * - many-flows: N concurrent TCP flows (a handshake and one small HTTP
 *   exchange each, on port 80) and M UDP flows (a DNS query and its answer,
 *   on port 53). All flows open in a first phase and the TCP ones exchange
 *   data in a second; the TCP connections are left open, so every flow is still live
 *   at the end of the file (the worst case for memory). The capture spans
 *   6 s of packet time, under the flow and connection timeouts.
 * - mixed: the real captures, repeated with each copy moved to its own
 *   client and server addresses (checksums adjusted) and shifted in time so
 *   copies overlap, merged in timestamp order. Transactions stay valid and
 *   distinct.
 */
import {
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
  LINKTYPE_ETHERNET,
  adjustChecksum,
  createPcapWriter,
  dnsAnswerA,
  dnsQuery,
  DNS_A,
  ip4,
  readPcap,
  tcpFrame,
  udpFrame,
  type PcapPacket,
} from './pcap.js';

/** 2026-11-24T00:00:00Z: the synthetic captures' packet time starts here. */
const T0 = Date.UTC(2026, 10, 24) / 1000;

export interface ManyFlowsResult {
  readonly packets: number;
  readonly bytes: number;
  readonly flows: number;
  readonly tcpFlows: number;
  readonly udpFlows: number;
}

/** The client address of flow i: 10.64.0.0/10, skipping .0 and .255 host parts. */
function clientIp(i: number): number {
  const host = i % 250;
  const rest = Math.floor(i / 250);
  return ip4(10, 64 + ((rest >> 8) & 63), rest & 255, host + 2);
}

const SERVERS = 16;
function serverIp(i: number): number {
  return ip4(192, 168, 100, 1 + (i % SERVERS));
}

/**
 * The many-flow capture: `tcpFlows` TCP flows (4 packets each: SYN,
 * SYN-ACK, request, response) and `udpFlows` UDP flows (2 packets each),
 * all concurrent.
 */
export async function writeManyFlows(file: string, tcpFlows: number, udpFlows: number): Promise<ManyFlowsResult> {
  const w = await createPcapWriter(file, LINKTYPE_ETHERNET);
  const frame = Buffer.alloc(2048);
  const total = tcpFlows + udpFlows;
  // Each phase spans 3 s of packet time.
  const stepNs = Math.max(1, Math.floor(3e9 / Math.max(1, total)));
  let phaseStartNs = 0;
  let bytes = 0;
  const put = (len: number, atNs: number): void => {
    const sec = T0 + Math.floor(atNs / 1e9);
    w.write(frame, 0, len, len, sec, atNs % 1e9);
    bytes += 16 + len;
  };
  // UDP flows are spread evenly among the TCP ones.
  const isUdp = (i: number): boolean => {
    const ratio = udpFlows / Math.max(1, total);
    return Math.floor((i + 1) * ratio) > Math.floor(i * ratio);
  };
  const isn = (i: number): number => (i * 2_654_435_761) >>> 0;
  const requests: Buffer[] = [];
  const response = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
  const reqFor = (i: number): Buffer => {
    const r = requests[i & 15] ?? Buffer.from(`GET /flow/${i & 15} HTTP/1.1\r\nHost: svc-${i & 15}.bench\r\nUser-Agent: pbts-synth\r\n\r\n`);
    requests[i & 15] = r;
    return r;
  };
  const sport = (i: number): number => 1024 + (i % 60_000);

  // Phase 1: TCP handshakes and DNS queries.
  let udpCount = 0;
  for (let i = 0, t = phaseStartNs; i < total; i++, t += stepNs) {
    const c = clientIp(i);
    const s = serverIp(i);
    if (isUdp(i)) {
      udpCount++;
      // The answer follows at once: DNS correlators bound their pending
      // queries (max_pending_queries, 10,000 by default), and this capture
      // is about concurrent flows, not queries left waiting.
      put(udpFrame(frame, c, sport(i), s, 53, dnsQuery(i, `q${i}.flows.bench`, DNS_A), i), t);
      put(udpFrame(frame, s, 53, c, sport(i), dnsAnswerA(i, `q${i}.flows.bench`, ip4(10, 9, 8, 7)), i + 1), t + (stepNs >> 1));
    } else {
      const cs = isn(i);
      const ss = isn(i + 7);
      put(tcpFrame(frame, c, sport(i), s, 80, cs, 0, TCP_SYN), t);
      put(tcpFrame(frame, s, 80, c, sport(i), ss, cs + 1, TCP_SYN | TCP_ACK), t + (stepNs >> 1));
    }
  }
  phaseStartNs += 3e9;
  // Phase 2: HTTP requests and responses.
  for (let i = 0, t = phaseStartNs; i < total; i++, t += stepNs) {
    const c = clientIp(i);
    const s = serverIp(i);
    if (!isUdp(i)) {
      const cs = isn(i) + 1;
      const ss = isn(i + 7) + 1;
      const req = reqFor(i);
      put(tcpFrame(frame, c, sport(i), s, 80, cs, ss, TCP_ACK | TCP_PSH, req), t);
      put(tcpFrame(frame, s, 80, c, sport(i), ss, cs + req.length, TCP_ACK | TCP_PSH, response), t + (stepNs >> 1));
    }
  }
  const packets = w.packets;
  w.close();
  return { packets, bytes: bytes + 24, flows: total, tcpFlows: total - udpCount, udpFlows: udpCount };
}

/** A real capture to repeat in the mixed one. */
export interface MixSource {
  readonly file: string;
  /** Server addresses and ports of the recording: the side a packet comes from is told by these. */
  readonly serverIps: readonly string[];
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
}

function parseIp(s: string): number {
  const p = s.split('.').map(Number);
  return ip4(p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0);
}

interface Stream {
  readonly packets: PcapPacket[];
  readonly source: number;
  readonly copy: number;
  /** Added to each packet's time, in ns relative to the source's first packet. */
  readonly offsetNs: number;
  /** The source's first packet's second. */
  readonly firstSec: number;
  index: number;
  nextNs: number;
}

/** Packet time in ns since the capture's first second (fits a double exactly for captures of days). */
function relNs(p: PcapPacket, baseSec: number): number {
  return (p.tsSec - baseSec) * 1e9 + p.tsNsec;
}

/**
 * The mixed capture: `copies` copies of every source, copy r moved to
 * client 10.(g >> 8).(g & 255).x and server 172.16.<source>.1 (g = the
 * copy's global number), starting r * `spreadNs` / copies after the first.
 * IPv4 packets only (others are skipped).
 */
export async function writeMixed(file: string, sources: readonly MixSource[], copies: number, spreadNs: number): Promise<{ packets: number; bytes: number; skipped: number; copies: number }> {
  const loaded = sources.map((s) => readPcap(s.file));
  for (const [i, l] of loaded.entries()) {
    if (l.linkType !== LINKTYPE_ETHERNET) throw new Error(`${sources[i]?.file}: link type ${l.linkType}, the mix wants Ethernet (tcpdump -i lo)`);
  }
  const streams: Stream[] = [];
  for (let s = 0; s < sources.length; s++) {
    const packets = loaded[s]?.packets ?? [];
    const first = packets[0];
    if (first === undefined) continue;
    for (let r = 0; r < copies; r++) {
      const offsetNs = Math.floor((r * spreadNs) / copies);
      streams.push({ packets, source: s, copy: r, offsetNs, firstSec: first.tsSec, index: 0, nextNs: offsetNs + relNs(first, first.tsSec) });
    }
  }
  const heap = new StreamHeap();
  for (const st of streams) heap.push(st);

  const serverSets = sources.map((s) => ({ ips: new Set(s.serverIps.map(parseIp)), tcp: new Set(s.tcpPorts), udp: new Set(s.udpPorts) }));
  const w = await createPcapWriter(file, LINKTYPE_ETHERNET);
  const frame = Buffer.alloc(300_000);
  let bytes = 24;
  let skipped = 0;
  for (let st = heap.top(); st !== undefined; st = heap.top()) {
    const p = st.packets[st.index] as PcapPacket;
    const atNs = st.nextNs;
    st.index++;
    const np = st.packets[st.index];
    if (np === undefined) heap.pop();
    else {
      st.nextNs = st.offsetNs + relNs(np, st.firstSec);
      heap.topChanged();
    }
    const len = p.data.length;
    if (len < 34 || p.data.readUInt16BE(12) !== 0x0800 || ((p.data[14] ?? 0) >> 4) !== 4) {
      skipped++;
      continue;
    }
    p.data.copy(frame, 0, 0, len);
    rewriteAddresses(frame, len, serverSets[st.source] ?? { ips: new Set(), tcp: new Set(), udp: new Set() }, st.source, st.copy * sources.length + st.source);
    const sec = T0 + Math.floor(atNs / 1e9);
    w.write(frame, 0, len, p.origLen, sec, atNs % 1e9);
    bytes += 16 + len;
  }
  const packets = w.packets;
  w.close();
  return { packets, bytes, skipped, copies };
}

/**
 * Moves an IPv4 packet of a recording to the copy's own addresses: the
 * server side to 172.16.<source>.1, the client side to 10.<g>.<g>.2
 * (g = the copy's global number), adjusting the IP and TCP/UDP checksums.
 */
function rewriteAddresses(f: Buffer, len: number, servers: { ips: Set<number>; tcp: Set<number>; udp: Set<number> }, source: number, g: number): void {
  const ip = 14;
  const ihl = ((f[ip] ?? 0) & 0x0f) * 4;
  const proto = f[ip + 9] ?? 0;
  const l4 = ip + ihl;
  const src = f.readUInt32BE(ip + 12);
  const dst = f.readUInt32BE(ip + 16);
  let fromServer = false;
  if ((proto === 6 || proto === 17) && len >= l4 + 4) {
    const sport = f.readUInt16BE(l4);
    const ports = proto === 6 ? servers.tcp : servers.udp;
    fromServer = ports.has(sport) && servers.ips.has(src);
  }
  const server = ip4(172, 16, source & 255, 1);
  const client = ip4(10, (g >> 8) & 255, g & 255, 2);
  const newSrc = fromServer ? server : client;
  const newDst = fromServer ? client : server;
  const oldWords = [src >>> 16, src & 0xffff, dst >>> 16, dst & 0xffff];
  const newWords = [newSrc >>> 16, newSrc & 0xffff, newDst >>> 16, newDst & 0xffff];
  f.writeUInt32BE(newSrc, ip + 12);
  f.writeUInt32BE(newDst, ip + 16);
  adjustChecksum(f, ip + 10, oldWords, newWords);
  const fragOff = f.readUInt16BE(ip + 6) & 0x1fff;
  if (fragOff !== 0) return; // no transport header in later fragments
  if (proto === 6 && len >= l4 + 18) adjustChecksum(f, l4 + 16, oldWords, newWords);
  else if (proto === 17 && len >= l4 + 8 && f.readUInt16BE(l4 + 6) !== 0) adjustChecksum(f, l4 + 6, oldWords, newWords);
}

/** A binary min-heap of streams by their next packet's time. */
class StreamHeap {
  private readonly a: Stream[] = [];

  top(): Stream | undefined {
    return this.a[0];
  }

  push(x: Stream): void {
    const a = this.a;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const hp = a[p] as Stream;
      if (hp.nextNs <= x.nextNs) break;
      a[i] = hp;
      i = p;
    }
    a[i] = x;
  }

  pop(): void {
    const last = this.a.pop();
    if (last !== undefined && this.a.length > 0) this.siftDown(last);
  }

  /** The top's time grew: move it down. */
  topChanged(): void {
    const t = this.a[0];
    if (t !== undefined) this.siftDown(t);
  }

  private siftDown(x: Stream): void {
    const a = this.a;
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const hl = a[l] as Stream;
      const hr = a[l + 1];
      const [c, ci] = hr !== undefined && hr.nextNs < hl.nextNs ? [hr, l + 1] : [hl, l];
      if (c.nextNs >= x.nextNs) break;
      a[i] = c;
      i = ci;
    }
    a[i] = x;
  }
}
