/**
 * The capture benchmarks: for each capture of the corpus, in one run,
 *
 * - ours → file: `packetbeat -I file -t`, protocols on, flows off, the file
 *   output in a temp dir (events = lines it wrote = transactions);
 * - ours → discard: the same analysis into `output.discard`;
 * - ours decode+flow: no protocols, flows on, discard (events = flow events);
 * - tshark -n -r file -T ek > /dev/null: the common alternative (on the
 *   first N packets, since it is ~100x slower; one document per packet);
 * - tcpdump -r file -w /dev/null: the floor (read and write every packet);
 *
 * and on the many-flow capture, protocols and flows together at -l 1 and at
 * -l 10 (the file replayed 10 times) to show peak RSS stays flat.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Corpus, CaptureEntry } from './corpus.js';
import { errorText, measure, versionOf, which, type Measured, type RssSample } from './proc.js';
import type { Progress } from './record.js';
import { createPcapWriter, LINKTYPE_ETHERNET, tcpFrame, ip4, TCP_SYN } from './pcap.js';

export type Tool = 'ours-file' | 'ours-file-2w' | 'ours-discard' | 'ours-decode-flow' | 'ours-decode-flow-loop' | 'ours-all-l1' | 'ours-all-loop' | 'tshark' | 'tcpdump';

export const TOOL_LABELS: Record<Tool, string> = {
  'ours-file': 'packetbeat-ts → file',
  'ours-file-2w': 'packetbeat-ts → file, 2 workers',
  'ours-discard': 'packetbeat-ts → discard',
  'ours-decode-flow': 'packetbeat-ts decode+flow',
  'ours-decode-flow-loop': 'packetbeat-ts decode+flow -l N',
  'ours-all-l1': 'packetbeat-ts proto+flows -l 1',
  'ours-all-loop': 'packetbeat-ts proto+flows -l N',
  tshark: 'tshark -T ek',
  tcpdump: 'tcpdump -w /dev/null (floor)',
};

export interface ToolResult {
  readonly capture: string;
  readonly tool: Tool;
  readonly label: string;
  /** Packets the tool read (all loops). */
  readonly packets: number;
  /** Capture bytes the tool read (file bytes, all loops). */
  readonly bytes: number;
  readonly wallSeconds: number;
  readonly cpuSeconds?: number;
  readonly peakRssMb?: number;
  readonly packetsPerSecond: number;
  readonly mbPerSecond: number;
  /** Events the tool emitted: lines our file output wrote, our published events (discard), tshark's documents. */
  readonly events?: number;
  readonly eventsPerSecond?: number;
  /** What the events are. */
  readonly eventsAre?: string;
  /** File output rows: SHA-1 of the lines written, in order, without their `agent` object (see readOutput). */
  readonly outputDigest?: string;
  /** Our `packetbeat.transactions.published` and flow events, from the final metrics. */
  readonly transactions?: number;
  readonly loops?: number;
  /** Why there are no numbers. */
  readonly skipped?: string;
  readonly note?: string;
  /** Selected final metrics of our runs. */
  readonly metrics?: Record<string, number>;
  /** Resident set size over the run (long replays): peak in each half, and samples (s, MB). */
  readonly rss?: { readonly firstHalfPeakMb: number; readonly secondHalfPeakMb: number; readonly samples: ReadonlyArray<readonly [number, number]> };
}

export interface CaptureSuiteOptions {
  readonly repoRoot: string;
  readonly corpus: Corpus;
  /** Captures to run (names); all when empty. */
  readonly captures: readonly string[];
  /** tshark reads only this many packets of each capture (0 = all). */
  readonly tsharkPackets: number;
  /** -l for the long replay of many-flows. */
  readonly loops: number;
  readonly progress: Progress;
}

export interface ToolVersions {
  readonly packetbeat?: string;
  readonly tshark?: string;
  readonly tcpdump?: string;
  readonly redisBenchmark?: string;
  readonly pgbench?: string;
  readonly mariadb?: string;
  readonly dnsmasq?: string;
  readonly gnuTime?: string;
}

export interface CaptureSuiteReport {
  readonly startupSeconds?: number;
  /** The node flags packetbeat-ts ran with (from bin/packetbeat's first line). */
  readonly nodeFlags: string[];
  readonly results: ToolResult[];
  readonly configs: Record<string, string>;
}

export interface Tools {
  readonly node: string;
  readonly packetbeat: string;
  readonly tshark?: string;
  readonly tcpdump?: string;
  readonly redisBenchmark?: string;
  readonly pgbench?: string;
  readonly psql?: string;
  readonly mariadb?: string;
  readonly dnsmasq?: string;
}

export function findTools(repoRoot: string): Tools {
  const t = (name: string): string | undefined => which(name);
  return {
    node: process.execPath,
    packetbeat: path.join(repoRoot, 'packages/packetbeat/bin/packetbeat'),
    tshark: t('tshark'),
    tcpdump: t('tcpdump'),
    redisBenchmark: t('redis-benchmark'),
    pgbench: t('pgbench'),
    psql: t('psql'),
    mariadb: t('mariadb') ?? t('mysql'),
    dnsmasq: t('dnsmasq'),
  };
}

export function toolVersions(tools: Tools): ToolVersions {
  const v = (cmd: string | undefined, args: string[], re?: RegExp): string | undefined => (cmd === undefined ? undefined : versionOf(cmd, args, re));
  return {
    packetbeat: v(tools.node, [tools.packetbeat, 'version']),
    tshark: v(tools.tshark, ['--version'], /^TShark/),
    tcpdump: v(tools.tcpdump, ['--version'], /^tcpdump version/),
    redisBenchmark: v(tools.redisBenchmark, ['--version']),
    pgbench: v(tools.pgbench, ['--version']),
    mariadb: v(tools.mariadb, ['--version']),
    dnsmasq: v(tools.dnsmasq, ['--version'], /^Dnsmasq version/),
    gnuTime: fs.existsSync('/usr/bin/time') ? (v('/usr/bin/time', ['--version'], /GNU Time/) ?? 'GNU time') : undefined,
  };
}

// ---------------------------------------------------------------- configs

export interface Ports {
  readonly http: number[];
  readonly dns: number[];
  readonly redis: number[];
}

/** The node flags of bin/packetbeat's shebang (`#!/usr/bin/env -S node <flags>`): packetbeat is measured as a user runs it. */
export function packetbeatNodeFlags(bin: string): string[] {
  const first = fs.readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*env -S node((?: --[\w-]+=\S+)*)\s*$/.exec(first);
  if (match === null) throw new Error(`${bin}: expected a first line "#!/usr/bin/env -S node --flag=value ...", got ${JSON.stringify(first)}`);
  return (match[1] ?? '').trim().split(/\s+/).filter((f) => f !== '');
}

/** The protocol ports of the corpus: defaults plus the ports the recordings used. */
export function corpusPorts(corpus: Corpus): Ports {
  const http = new Set([80]);
  const dns = new Set([53]);
  for (const c of corpus.manifest.captures) {
    if (c.name.startsWith('http')) for (const p of c.tcpPorts) http.add(p);
    if (c.name === 'dns') for (const p of c.udpPorts) dns.add(p);
  }
  return { http: [...http].sort((a, b) => a - b), dns: [...dns].sort((a, b) => a - b), redis: [6379] };
}

function protocolsYaml(ports: Ports): string {
  return [
    'packetbeat.protocols:',
    '  - type: http',
    `    ports: [${ports.http.join(', ')}]`,
    '  - type: redis',
    `    ports: [${ports.redis.join(', ')}]`,
    '  - type: dns',
    `    ports: [${ports.dns.join(', ')}]`,
  ].join('\n');
}

type ConfigName = 'file' | 'file-2w' | 'discard' | 'decode-flow' | 'all';

export function configYaml(name: ConfigName, ports: Ports, outDir: string): string {
  // One analysis thread (stated so the rows stay per core), except the row that measures two.
  const common = [`packetbeat.workers: ${name === 'file-2w' ? 2 : 1}`, 'logging.to_stderr: true', 'logging.to_files: false', 'logging.level: info'];
  switch (name) {
    case 'file':
    case 'file-2w':
      return [
        `# Full analysis into the file output; flows off, so every event is a transaction${name === 'file-2w' ? '; two worker threads' : ''}.`,
        protocolsYaml(ports),
        'packetbeat.flows.enabled: false',
        'output.file:',
        `  path: ${JSON.stringify(outDir)}`,
        '  filename: events',
        '  rotate_every_kb: 100000000',
        '  number_of_files: 2',
        ...common,
        '',
      ].join('\n');
    case 'discard':
      return ['# Full analysis into output.discard; flows off.', protocolsYaml(ports), 'packetbeat.flows.enabled: false', 'output.discard: {}', ...common, ''].join('\n');
    case 'decode-flow':
      return ['# Decode and flows only: no protocols, output.discard.', 'packetbeat.protocols: []', 'packetbeat.flows.enabled: true', 'output.discard: {}', ...common, ''].join('\n');
    case 'all':
      return ['# Protocols and flows together, output.discard.', protocolsYaml(ports), 'packetbeat.flows.enabled: true', 'output.discard: {}', ...common, ''].join('\n');
  }
}

// ---------------------------------------------------------------- metrics

/** The fields of packetbeat's final `Total metrics` log line, flattened with dots. */
export function totalMetrics(stderr: string): Record<string, number> | undefined {
  const line = stderr
    .split('\n')
    .reverse()
    .find((l) => l.includes('Total metrics'));
  if (line === undefined) return undefined;
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(start));
  } catch {
    return undefined;
  }
  const out: Record<string, number> = {};
  const walk = (v: unknown, prefix: string): void => {
    if (typeof v === 'number') out[prefix] = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, prefix === '' ? k : `${prefix}.${k}`);
    }
  };
  walk(parsed, '');
  // Strip the monitoring.metrics. prefix.
  const flat: Record<string, number> = {};
  for (const [k, x] of Object.entries(out)) flat[k.replace(/^monitoring\.metrics\./, '')] = x;
  return flat;
}

const KEPT_METRICS = /^(packetbeat\.|libbeat\.(output\.events|pipeline\.events|output\.write\.bytes))/;

function keptMetrics(m: Record<string, number> | undefined): Record<string, number> | undefined {
  if (m === undefined) return undefined;
  return Object.fromEntries(Object.entries(m).filter(([k, v]) => KEPT_METRICS.test(k) && v !== 0));
}

/** The `Exiting: …` or last ERROR line of a failed run. */
function failureText(r: Measured): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  const exiting = lines.find((l) => l.startsWith('Exiting'));
  const err = [...lines].reverse().find((l) => /\bERROR\b/.test(l));
  return (exiting ?? err ?? lines[lines.length - 1] ?? `exit ${r.exitCode ?? r.signal ?? '?'}`).slice(0, 300);
}

/** Newlines in every file under `dir`. */
const AGENT_START = Buffer.from(',"agent":{');

/**
 * The lines the file output wrote, and a digest of them in order without
 * their `agent` object (its ids differ from run to run), so two runs can be
 * compared document for document.
 */
function readOutput(dir: string): { lines: number; digest: string } {
  let lines = 0;
  const hash = crypto.createHash('sha1');
  const addLine = (line: Buffer): void => {
    lines++;
    const at = line.indexOf(AGENT_START);
    const close = at < 0 ? -1 : line.indexOf(0x7d /* } */, at + AGENT_START.length); // the agent object is flat
    if (close < 0) hash.update(line);
    else hash.update(line.subarray(0, at)).update(line.subarray(close + 1));
    hash.update('\n');
  };
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  for (const f of fs.readdirSync(dir).sort()) {
    const fd = fs.openSync(path.join(dir, f), 'r');
    let carry: Buffer = Buffer.alloc(0);
    try {
      for (;;) {
        const got = fs.readSync(fd, buf, 0, buf.length, null);
        if (got === 0) break;
        const chunk = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, got)]) : buf.subarray(0, got);
        let from = 0;
        let nl = chunk.indexOf(10, from);
        while (nl >= 0) {
          addLine(chunk.subarray(from, nl));
          from = nl + 1;
          nl = chunk.indexOf(10, from);
        }
        carry = Buffer.from(chunk.subarray(from)); // a copy: buf is reused
      }
      if (carry.length > 0) addLine(carry);
    } finally {
      fs.closeSync(fd);
    }
  }
  return { lines, digest: hash.digest('hex') };
}

/** Bytes of a classic pcap file up to and including its first `n` packets (the file's size when it has fewer). */
function pcapPrefixBytes(file: string, n: number): { bytes: number; packets: number } {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const hdr = Buffer.alloc(16);
    fs.readSync(fd, hdr, 0, 4, 0);
    const le = hdr.readUInt32LE(0) === 0xa1b2c3d4 || hdr.readUInt32LE(0) === 0xa1b23c4d;
    let off = 24;
    let count = 0;
    while (count < n && off + 16 <= size) {
      fs.readSync(fd, hdr, 0, 16, off);
      const capLen = le ? hdr.readUInt32LE(8) : hdr.readUInt32BE(8);
      off += 16 + capLen;
      count++;
    }
    return { bytes: Math.min(off, size), packets: count };
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------- runs

/** Peak RSS in each half of the run, and the samples thinned to about 40. */
function rssProfile(samples: readonly RssSample[], wallSeconds: number): NonNullable<ToolResult['rss']> {
  const half = wallSeconds / 2;
  const mb = (kb: number): number => Number((kb / 1024).toFixed(1));
  const peak = (xs: readonly RssSample[]): number => mb(xs.reduce((m, x) => Math.max(m, x.kb), 0));
  const every = Math.max(1, Math.ceil(samples.length / 40));
  return {
    firstHalfPeakMb: peak(samples.filter((x) => x.t <= half)),
    secondHalfPeakMb: peak(samples.filter((x) => x.t > half)),
    samples: samples.filter((_, i) => i % every === 0).map((x) => [x.t, mb(x.kb)] as const),
  };
}

function rate(n: number, seconds: number): number {
  return seconds > 0 ? Math.round(n / seconds) : 0;
}

function baseResult(entry: CaptureEntry, tool: Tool, r: Measured, packets: number, bytes: number): ToolResult {
  const cpu = r.userSeconds !== undefined && r.sysSeconds !== undefined ? Number((r.userSeconds + r.sysSeconds).toFixed(2)) : undefined;
  return {
    capture: entry.name,
    tool,
    label: TOOL_LABELS[tool],
    packets,
    bytes,
    wallSeconds: Number(r.wallSeconds.toFixed(3)),
    ...(cpu === undefined ? {} : { cpuSeconds: cpu }),
    ...(r.peakRssKb === undefined ? {} : { peakRssMb: Number((r.peakRssKb / 1024).toFixed(1)) }),
    packetsPerSecond: rate(packets, r.wallSeconds),
    mbPerSecond: Number((bytes / 1e6 / r.wallSeconds).toFixed(1)),
  };
}

function skipped(entry: CaptureEntry, tool: Tool, why: string): ToolResult {
  return { capture: entry.name, tool, label: TOOL_LABELS[tool], packets: 0, bytes: 0, wallSeconds: 0, packetsPerSecond: 0, mbPerSecond: 0, skipped: why };
}

async function runOurs(
  tools: Tools,
  entry: CaptureEntry,
  file: string,
  tool: Tool,
  config: ConfigName,
  ports: Ports,
  scratch: string,
  loops: number,
  sampleRss = false,
): Promise<ToolResult> {
  const home = fs.mkdtempSync(path.join(scratch, `pb-${tool}-`));
  const outDir = path.join(home, 'out');
  const cfgFile = path.join(home, 'packetbeat.yml');
  fs.writeFileSync(cfgFile, configYaml(config, ports, outDir));
  try {
    if (!fs.existsSync(path.join(path.dirname(tools.packetbeat), '../dist/src/main.js'))) return skipped(entry, tool, 'packetbeat is not built (npm run build)');
    const args = [...packetbeatNodeFlags(tools.packetbeat), tools.packetbeat, '-c', cfgFile, '--path.home', home, '-I', file, '-t', '-e', ...(loops !== 1 ? ['-l', String(loops)] : [])];
    const r = await measure(tools.node, args, { cwd: home, timeoutMs: 30 * 60_000, ...(sampleRss ? { sampleRssMs: 100 } : {}) });
    const metrics = totalMetrics(r.stderr);
    if (r.exitCode !== 0 || metrics === undefined) return skipped(entry, tool, `packetbeat failed: ${failureText(r)}`);
    const packets = metrics['packetbeat.packets.total'] ?? entry.packets * loops;
    const transactions = metrics['packetbeat.transactions.published'];
    const published = metrics['libbeat.pipeline.events.published'] ?? metrics['libbeat.output.events.acked'];
    let events: number | undefined;
    let eventsAre: string;
    let outputDigest: string | undefined;
    if (config === 'file' || config === 'file-2w') {
      const written = fs.existsSync(outDir) ? readOutput(outDir) : { lines: 0, digest: '' };
      events = written.lines;
      outputDigest = written.digest;
      eventsAre = 'transactions (lines written)';
    } else if (config === 'decode-flow') {
      events = published;
      eventsAre = 'flow events';
    } else if (config === 'all') {
      events = published;
      eventsAre = 'transactions + flow events';
    } else {
      events = published;
      eventsAre = 'transactions';
    }
    const base = baseResult(entry, tool, r, packets, entry.bytes * loops);
    return {
      ...base,
      ...(events === undefined ? {} : { events, eventsPerSecond: rate(events, r.wallSeconds) }),
      eventsAre,
      ...(outputDigest === undefined ? {} : { outputDigest }),
      ...(transactions === undefined ? {} : { transactions }),
      ...(loops !== 1 ? { loops } : {}),
      ...(r.rssMethod === 'proc' ? { note: 'peak RSS polled from /proc (no GNU time)' } : {}),
      metrics: keptMetrics(metrics) ?? {},
      ...(r.rssSamples === undefined || r.rssSamples.length < 2 ? {} : { rss: rssProfile(r.rssSamples, r.wallSeconds) }),
    };
  } catch (err) {
    return skipped(entry, tool, `packetbeat failed: ${errorText(err)}`);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function runTshark(tools: Tools, entry: CaptureEntry, file: string, ports: Ports, limit: number): Promise<ToolResult> {
  if (tools.tshark === undefined) return skipped(entry, 'tshark', 'tshark not installed (apt-get install tshark)');
  // Our ports that Wireshark does not decode by default.
  const decodeAs: string[] = [];
  for (const p of ports.http) if (![80, 8080, 3128, 8088].includes(p)) decodeAs.push('-d', `tcp.port==${p},http`);
  for (const p of ports.dns) if (p !== 53) decodeAs.push('-d', `udp.port==${p},dns`);
  const prefix = limit > 0 && limit < entry.packets ? pcapPrefixBytes(file, limit) : { bytes: entry.bytes, packets: entry.packets };
  const args = ['-n', '-r', file, '-T', 'ek', ...decodeAs, ...(limit > 0 && limit < entry.packets ? ['-c', String(limit)] : [])];
  try {
    const r = await measure(tools.tshark, args, { timeoutMs: 30 * 60_000 });
    if (r.exitCode !== 0) return skipped(entry, 'tshark', `tshark failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    const base = baseResult(entry, 'tshark', r, prefix.packets, prefix.bytes);
    return {
      ...base,
      events: prefix.packets,
      eventsPerSecond: base.packetsPerSecond,
      eventsAre: 'documents (one per packet)',
      ...(prefix.packets < entry.packets ? { note: `first ${prefix.packets.toLocaleString('en-US')} packets (-c)` } : {}),
    };
  } catch (err) {
    return skipped(entry, 'tshark', `tshark failed: ${errorText(err)}`);
  }
}

async function runTcpdump(tools: Tools, entry: CaptureEntry, file: string): Promise<ToolResult> {
  if (tools.tcpdump === undefined) return skipped(entry, 'tcpdump', 'tcpdump not installed (apt-get install tcpdump)');
  try {
    const r = await measure(tools.tcpdump, ['-r', file, '-w', '/dev/null']);
    if (r.exitCode !== 0) return skipped(entry, 'tcpdump', `tcpdump failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    return baseResult(entry, 'tcpdump', r, entry.packets, entry.bytes);
  } catch (err) {
    return skipped(entry, 'tcpdump', `tcpdump failed: ${errorText(err)}`);
  }
}

/** Our start-up and shutdown cost: a run over a one-packet capture with the file config. */
async function measureStartup(tools: Tools, ports: Ports, scratch: string): Promise<number | undefined> {
  const file = path.join(scratch, 'one-packet.pcap');
  const w = await createPcapWriter(file, LINKTYPE_ETHERNET);
  const frame = Buffer.alloc(64);
  w.write(frame, 0, tcpFrame(frame, ip4(10, 0, 0, 1), 40000, ip4(10, 0, 0, 2), 80, 1, 0, TCP_SYN), 54, 1_795_000_000, 0);
  w.close();
  const entry: CaptureEntry = { name: 'startup', file, kind: 'synthetic', description: '', protocols: [], packets: 1, bytes: fs.statSync(file).size, durationSeconds: 0, tcpPorts: [], udpPorts: [], serverIps: [], builtAt: '', buildSeconds: 0 };
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await runOurs(tools, entry, file, 'ours-file', 'file', ports, scratch, 1);
    if (r.skipped !== undefined) return undefined;
    runs.push(r.wallSeconds);
  }
  fs.rmSync(file, { force: true });
  runs.sort((a, b) => a - b);
  return runs[1];
}

/** How each of our rows runs packetbeat: its config, whether it replays `--loops` times, whether VmRSS is sampled. */
const OUR_RUNS: Record<Exclude<Tool, 'tshark' | 'tcpdump'>, { readonly config: ConfigName; readonly looped: boolean; readonly sampleRss: boolean }> = {
  'ours-file': { config: 'file', looped: false, sampleRss: false },
  'ours-file-2w': { config: 'file-2w', looped: false, sampleRss: false },
  'ours-discard': { config: 'discard', looped: false, sampleRss: false },
  'ours-decode-flow': { config: 'decode-flow', looped: false, sampleRss: false },
  'ours-decode-flow-loop': { config: 'decode-flow', looped: true, sampleRss: false },
  'ours-all-l1': { config: 'all', looped: false, sampleRss: true },
  'ours-all-loop': { config: 'all', looped: true, sampleRss: true },
};

export async function runCaptureSuite(tools: Tools, opts: CaptureSuiteOptions): Promise<CaptureSuiteReport> {
  const ports = corpusPorts(opts.corpus);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pbts-bench-'));
  const results: ToolResult[] = [];
  const configs: Record<string, string> = {};
  for (const c of ['file', 'file-2w', 'discard', 'decode-flow', 'all'] as const) configs[c] = configYaml(c, ports, '<temp dir>');
  try {
    opts.progress('captures: measuring packetbeat start-up (one-packet capture) …');
    const startupSeconds = await measureStartup(tools, ports, scratch);
    const selected = opts.corpus.manifest.captures.filter((c) => opts.captures.length === 0 || opts.captures.includes(c.name));
    for (const entry of selected) {
      const file = opts.corpus.path(entry);
      const all: Tool[] = ['ours-file', 'ours-discard', 'ours-decode-flow', 'tshark', 'tcpdump'];
      // Decode+flow is fast enough that start-up dominates one pass: a looped run amortizes it.
      // The worker-thread row runs on mixed only (the target is judged there).
      if (entry.name === 'mixed') all.splice(1, 0, 'ours-file-2w');
      if (entry.name === 'mixed') all.splice(4, 0, 'ours-decode-flow-loop');
      if (entry.name === 'many-flows') all.push('ours-all-l1', 'ours-all-loop');
      if (entry.error !== undefined || !fs.existsSync(file)) {
        for (const t of all) results.push(skipped(entry, t, `no capture: ${entry.error ?? 'file missing'}`));
        continue;
      }
      for (const t of all) {
        const ours = t === 'tshark' || t === 'tcpdump' ? undefined : OUR_RUNS[t];
        const loops = ours?.looped === true ? opts.loops : 1;
        opts.progress(`captures: ${entry.name} (${entry.packets.toLocaleString('en-US')} packets${loops > 1 ? ` x ${loops}` : ''}): ${TOOL_LABELS[t].replace(' -l N', ` -l ${loops}`)} …`);
        let r: ToolResult;
        if (ours !== undefined) {
          r = await runOurs(tools, entry, file, t, ours.config, ports, scratch, loops, ours.sampleRss);
          if (ours.looped) r = { ...r, label: r.label.replace(' -l N', ` -l ${loops}`) };
        } else if (t === 'tshark') {
          r = await runTshark(tools, entry, file, ports, opts.tsharkPackets);
        } else {
          r = await runTcpdump(tools, entry, file);
        }
        if (r.skipped !== undefined) opts.progress(`captures: ${entry.name}: ${r.label}: ${r.skipped}`);
        results.push(r);
      }
    }
    return { ...(startupSeconds === undefined ? {} : { startupSeconds }), nodeFlags: packetbeatNodeFlags(tools.packetbeat), results, configs };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
