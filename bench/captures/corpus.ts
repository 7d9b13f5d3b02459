/**
 * The capture corpus: recorded and synthetic pcap files under
 * `<data dir>/corpus-<full|quick>/`, described by a manifest.json. Kept out
 * of git; built on first use and rebuilt when the generator version or the
 * sizes change, a file is missing, a recording failed before, or on
 * `--rebuild-corpus`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readPcap } from './pcap.js';
import { errorText, fileSize } from './proc.js';
import { recordDns, recordHttp, recordMysql, recordPgsql, recordRedis, type Progress, type RecordSizes, type RecordTools, type Recording } from './record.js';
import { writeManyFlows, writeMixed, type MixSource } from './synth.js';

/** The manifest's format. */
export const CORPUS_VERSION = 4;

/**
 * Each generator's version: bump one when what it writes changes, and only
 * the captures it makes are rebuilt (mixed follows the recordings).
 */
const GENERATOR_VERSIONS: Record<string, number> = {
  'http-keepalive': 1,
  'http-short': 1,
  redis: 1,
  pgsql: 1,
  mysql: 1,
  dns: 1,
  'many-flows': 2,
  mixed: 1,
};

export interface CorpusSizes extends RecordSizes {
  readonly manyFlowsTcp: number;
  readonly manyFlowsUdp: number;
  /** At least this many packets in the mixed capture. */
  readonly mixedPackets: number;
}

export const FULL_SIZES: CorpusSizes = {
  httpKeepAlive: 30_000,
  httpShort: 6_000,
  redisRequests: 120_000,
  pgbenchTransactions: 500,
  mysqlQueries: 20_000,
  dnsQueries: 20_000,
  manyFlowsTcp: 200_000,
  manyFlowsUdp: 100_000,
  mixedPackets: 1_000_000,
};

export const QUICK_SIZES: CorpusSizes = {
  httpKeepAlive: 5_000,
  httpShort: 1_000,
  redisRequests: 20_000,
  pgbenchTransactions: 100,
  mysqlQueries: 4_000,
  dnsQueries: 4_000,
  manyFlowsTcp: 20_000,
  manyFlowsUdp: 10_000,
  mixedPackets: 200_000,
};

export type CaptureKind = 'recorded' | 'synthetic';

export interface CaptureEntry {
  readonly name: string;
  /** File name inside the corpus directory. */
  readonly file: string;
  readonly kind: CaptureKind;
  readonly description: string;
  /** Protocols in it, and whether we parse them yet. */
  readonly protocols: readonly string[];
  readonly packets: number;
  readonly bytes: number;
  readonly durationSeconds: number;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  readonly serverIps: readonly string[];
  /** Requests the generator issued (recorded captures), or flows (many-flows). */
  readonly requests?: number;
  readonly flows?: number;
  readonly kernelDrops?: number;
  readonly builtAt: string;
  readonly buildSeconds: number;
  /** The version of the generator that made it. */
  readonly generator?: number;
  /** Set when the capture could not be made: the suite shows it instead of numbers. */
  readonly error?: string;
}

export interface Manifest {
  readonly version: number;
  readonly mode: 'full' | 'quick';
  readonly sizes: CorpusSizes;
  readonly captures: CaptureEntry[];
}

export interface Corpus {
  readonly dir: string;
  readonly manifest: Manifest;
  path(entry: CaptureEntry): string;
}

interface Spec {
  readonly name: string;
  readonly kind: CaptureKind;
  readonly protocols: readonly string[];
}

const RECORDED: readonly Spec[] = [
  { name: 'http-keepalive', kind: 'recorded', protocols: ['http'] },
  { name: 'http-short', kind: 'recorded', protocols: ['http'] },
  { name: 'redis', kind: 'recorded', protocols: ['redis'] },
  { name: 'pgsql', kind: 'recorded', protocols: ['pgsql (not parsed yet)'] },
  { name: 'mysql', kind: 'recorded', protocols: ['mysql (not parsed yet)'] },
  { name: 'dns', kind: 'recorded', protocols: ['dns'] },
];

function stats(file: string): { packets: number; durationSeconds: number } {
  const { packets } = readPcap(file);
  const first = packets[0];
  const last = packets[packets.length - 1];
  const durationSeconds = first === undefined || last === undefined ? 0 : last.tsSec - first.tsSec + (last.tsNsec - first.tsNsec) / 1e9;
  return { packets: packets.length, durationSeconds: Number(durationSeconds.toFixed(3)) };
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function sameSizes(a: CorpusSizes, b: CorpusSizes): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The corpus in `dataDir`, built or completed as needed. */
export async function ensureCorpus(opts: { dataDir: string; quick: boolean; rebuild: boolean; tools: RecordTools | undefined; toolMissing: string; progress: Progress }): Promise<Corpus> {
  const mode = opts.quick ? 'quick' : 'full';
  const sizes = opts.quick ? QUICK_SIZES : FULL_SIZES;
  const dir = path.join(opts.dataDir, `corpus-${mode}`);
  fs.mkdirSync(dir, { recursive: true });
  const manifestFile = path.join(dir, 'manifest.json');
  const old = opts.rebuild ? undefined : readManifest(manifestFile);
  const reusable = old !== undefined && old.version === CORPUS_VERSION && sameSizes(old.sizes, sizes) ? old : undefined;
  const valid = (name: string): CaptureEntry | undefined => {
    const e = reusable?.captures.find((c) => c.name === name);
    if (e === undefined || e.error !== undefined || e.generator !== GENERATOR_VERSIONS[name]) return undefined;
    return fileSize(path.join(dir, e.file)) === e.bytes ? e : undefined;
  };
  const captures: CaptureEntry[] = [];
  const save = (): void => {
    const manifest: Manifest = { version: CORPUS_VERSION, mode, sizes, captures };
    fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  };
  const failed = (name: string, file: string, protocols: readonly string[], started: number, err: unknown): CaptureEntry => {
    fs.rmSync(path.join(dir, file), { force: true });
    const error = errorText(err);
    opts.progress(`corpus: ${name} not made: ${error}`);
    return { name, file, kind: 'synthetic', description: '', protocols, packets: 0, bytes: 0, durationSeconds: 0, tcpPorts: [], udpPorts: [], serverIps: [], builtAt: new Date().toISOString(), buildSeconds: (Date.now() - started) / 1000, error };
  };

  let recordedChanged = false;
  for (const spec of RECORDED) {
    const kept = valid(spec.name);
    if (kept !== undefined) {
      captures.push(kept);
      continue;
    }
    recordedChanged = true;
    const file = `${spec.name}.pcap`;
    const full = path.join(dir, file);
    const started = Date.now();
    opts.progress(`corpus: recording ${spec.name} on lo …`);
    let entry: CaptureEntry;
    try {
      if (opts.tools === undefined) throw new Error(opts.toolMissing);
      const rec = await recordOne(spec.name, opts.tools, full, sizes);
      const st = stats(full);
      entry = {
        name: spec.name,
        file,
        kind: 'recorded',
        description: rec.notes,
        protocols: spec.protocols,
        packets: st.packets,
        bytes: fileSize(full),
        durationSeconds: st.durationSeconds,
        tcpPorts: rec.tcpPorts,
        udpPorts: rec.udpPorts,
        serverIps: rec.serverIps,
        requests: rec.requests,
        kernelDrops: rec.kernelDrops,
        builtAt: new Date().toISOString(),
        buildSeconds: (Date.now() - started) / 1000,
        generator: GENERATOR_VERSIONS[spec.name] ?? 0,
      };
      if (rec.kernelDrops > 0) opts.progress(`corpus: WARNING tcpdump reports ${rec.kernelDrops} packets dropped by the kernel in ${spec.name}`);
      opts.progress(`corpus: ${spec.name}: ${entry.packets.toLocaleString('en-US')} packets, ${(entry.bytes / 1e6).toFixed(1)} MB in ${entry.buildSeconds.toFixed(1)} s`);
    } catch (err) {
      entry = { ...failed(spec.name, file, spec.protocols, started, err), kind: 'recorded' };
    }
    captures.push(entry);
    save();
  }

  // many-flows
  const keptMany = valid('many-flows');
  if (keptMany !== undefined) captures.push(keptMany);
  else {
    const started = Date.now();
    const file = 'many-flows.pcap';
    const total = sizes.manyFlowsTcp + sizes.manyFlowsUdp;
    opts.progress(`corpus: writing many-flows (${total.toLocaleString('en-US')} concurrent flows) …`);
    try {
      const r = await writeManyFlows(path.join(dir, file), sizes.manyFlowsTcp, sizes.manyFlowsUdp);
      captures.push({
        name: 'many-flows',
        file,
        kind: 'synthetic',
        description: `${r.tcpFlows.toLocaleString('en-US')} TCP flows (handshake + one HTTP GET, 4 packets each, left open) + ${r.udpFlows.toLocaleString('en-US')} UDP flows (DNS A query and its answer), all live at once over 6 s of packet time`,
        protocols: ['http', 'dns'],
        packets: r.packets,
        bytes: fileSize(path.join(dir, file)),
        durationSeconds: 6,
        tcpPorts: [80],
        udpPorts: [53],
        serverIps: [],
        flows: r.flows,
        requests: r.flows,
        builtAt: new Date().toISOString(),
        buildSeconds: (Date.now() - started) / 1000,
        generator: GENERATOR_VERSIONS['many-flows'] ?? 0,
      });
    } catch (err) {
      captures.push(failed('many-flows', file, ['http', 'dns'], started, err));
    }
    save();
  }

  // mixed: rebuilt whenever a recording was.
  const keptMixed = recordedChanged ? undefined : valid('mixed');
  if (keptMixed !== undefined) captures.push(keptMixed);
  else {
    const started = Date.now();
    const file = 'mixed.pcap';
    const sources = captures.filter((c) => c.kind === 'recorded' && c.error === undefined && c.packets > 0);
    try {
      if (sources.length === 0) throw new Error('no recorded capture to mix');
      const perRound = sources.reduce((n, c) => n + c.packets, 0);
      const copies = Math.max(1, Math.ceil(sizes.mixedPackets / perRound));
      const longest = Math.max(...sources.map((c) => c.durationSeconds));
      opts.progress(`corpus: writing mixed (${copies} copies of ${sources.length} recordings, ≥ ${sizes.mixedPackets.toLocaleString('en-US')} packets) …`);
      const mixSources: MixSource[] = sources.map((c) => ({ file: path.join(dir, c.file), serverIps: c.serverIps, tcpPorts: c.tcpPorts, udpPorts: c.udpPorts }));
      // Copy r starts r/copies of the longest recording later: the copies overlap.
      const r = await writeMixed(path.join(dir, file), mixSources, copies, longest * 1e9);
      const st = stats(path.join(dir, file));
      captures.push({
        name: 'mixed',
        file,
        kind: 'synthetic',
        description: `${copies} copies of ${sources.map((c) => c.name).join(', ')}; each copy on its own addresses (client 10.x.y.2, server 172.16.<capture>.1) and shifted in time so the copies overlap`,
        protocols: [...new Set(sources.flatMap((c) => c.protocols))],
        packets: r.packets,
        bytes: fileSize(path.join(dir, file)),
        durationSeconds: st.durationSeconds,
        tcpPorts: [...new Set(sources.flatMap((c) => c.tcpPorts))],
        udpPorts: [...new Set(sources.flatMap((c) => c.udpPorts))],
        serverIps: [],
        requests: sources.reduce((n, c) => n + (c.requests ?? 0), 0) * copies,
        builtAt: new Date().toISOString(),
        buildSeconds: (Date.now() - started) / 1000,
        generator: GENERATOR_VERSIONS.mixed ?? 0,
      });
    } catch (err) {
      captures.push(failed('mixed', file, [], started, err));
    }
    save();
  }
  const manifest: Manifest = { version: CORPUS_VERSION, mode, sizes, captures };
  return { dir, manifest, path: (e) => path.join(dir, e.file) };
}

function recordOne(name: string, tools: RecordTools, file: string, sizes: CorpusSizes): Promise<Recording> {
  switch (name) {
    case 'http-keepalive':
      return recordHttp(tools, file, sizes.httpKeepAlive, true);
    case 'http-short':
      return recordHttp(tools, file, sizes.httpShort, false);
    case 'redis':
      return recordRedis(tools, file, sizes.redisRequests);
    case 'pgsql':
      return recordPgsql(tools, file, sizes.pgbenchTransactions);
    case 'mysql':
      return recordMysql(tools, file, sizes.mysqlQueries);
    case 'dns':
      return recordDns(tools, file, sizes.dnsQueries);
    default:
      return Promise.reject(new Error(`no recorder for ${name}`));
  }
}

