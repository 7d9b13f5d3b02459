/**
 * The `profile` part: one packetbeat-ts run over a capture (mixed by
 * default) into the file output, exactly as the captures part's "→ file"
 * row runs it (same config, same node flags from bin/packetbeat), plus
 * node's `--cpu-prof`. The profile is summed up here: self time per
 * function, per area of the code, and the inclusive time of a few key
 * functions. The raw `.cpuprofile` is handed back for saving next to the
 * results (open it in Chrome DevTools, Performance tab).
 */
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Corpus } from './corpus.js';
import { measure } from './proc.js';
import type { Progress } from './record.js';
import { configYaml, corpusPorts, packetbeatNodeFlags, totalMetrics, type Tools } from './suite.js';

// ---------------------------------------------------------------- the run

export interface ProfileOptions {
  readonly repoRoot: string;
  readonly tools: Tools;
  readonly corpus: Corpus;
  /** The capture to replay (a corpus name). */
  readonly capture: string;
  /** `--cpu-prof-interval`, in microseconds. */
  readonly intervalUs: number;
  /** Rows in the top-functions table. */
  readonly top: number;
  readonly progress: Progress;
}

export interface ProfileRun {
  readonly summary: ProfileSummary;
  /** The `.cpuprofile` text, as node wrote it. */
  readonly rawProfile: string;
}

/** Runs packetbeat under the CPU profiler and sums the profile up. */
export async function runProfile(opts: ProfileOptions): Promise<ProfileRun> {
  const entry = opts.corpus.manifest.captures.find((c) => c.name === opts.capture);
  if (entry === undefined) throw new Error(`no capture "${opts.capture}" in the corpus (have: ${opts.corpus.manifest.captures.map((c) => c.name).join(', ')})`);
  const file = opts.corpus.path(entry);
  if (entry.error !== undefined || !fs.existsSync(file)) throw new Error(`capture ${entry.name} missing: ${entry.error ?? file}`);
  if (!fs.existsSync(path.join(path.dirname(opts.tools.packetbeat), '../dist/src/main.js'))) throw new Error('packetbeat is not built (npm run build)');

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pbts-profile-'));
  try {
    const home = path.join(scratch, 'home');
    const outDir = path.join(home, 'out');
    const profDir = path.join(scratch, 'cpuprof');
    fs.mkdirSync(home, { recursive: true });
    const cfgFile = path.join(home, 'packetbeat.yml');
    const ports = corpusPorts(opts.corpus);
    fs.writeFileSync(cfgFile, configYaml('file', ports, outDir));
    const nodeFlags = packetbeatNodeFlags(opts.tools.packetbeat);
    const profilerFlags = ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-interval=${opts.intervalUs}`];
    const args = [...nodeFlags, ...profilerFlags, opts.tools.packetbeat, '-c', cfgFile, '--path.home', home, '-I', file, '-t', '-e'];
    opts.progress(`profile: ${entry.name} (${entry.packets.toLocaleString('en-US')} packets): packetbeat-ts → file under --cpu-prof (every ${opts.intervalUs} µs) …`);
    const r = await measure(opts.tools.node, args, { cwd: home, timeoutMs: 30 * 60_000 });
    const metrics = totalMetrics(r.stderr);
    if (r.exitCode !== 0 || metrics === undefined) {
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      throw new Error(`packetbeat failed (exit ${r.exitCode ?? r.signal ?? '?'}): ${(lines.find((l) => l.startsWith('Exiting')) ?? lines[lines.length - 1] ?? '').slice(0, 300)}`);
    }
    const profiles = fs.existsSync(profDir) ? fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
    if (profiles.length === 0) throw new Error(`packetbeat wrote no .cpuprofile into ${profDir}`);
    // One analysis thread: one profile. Should worker threads show up, keep the biggest (the main thread does the output).
    const chosen = profiles.map((f) => path.join(profDir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0] ?? '';
    const rawProfile = fs.readFileSync(chosen, 'utf8');
    opts.progress(`profile: summing up ${(rawProfile.length / 1e6).toFixed(1)} MB of profile${profiles.length > 1 ? ` (biggest of ${profiles.length} threads)` : ''} …`);
    const analysis = analyzeCpuProfile(parseCpuProfile(rawProfile), opts.repoRoot, opts.top);
    const cpu = r.userSeconds !== undefined && r.sysSeconds !== undefined ? Number((r.userSeconds + r.sysSeconds).toFixed(2)) : undefined;
    const summary: ProfileSummary = {
      capture: entry.name,
      packets: metrics['packetbeat.packets.total'] ?? entry.packets,
      bytes: entry.bytes,
      transactions: metrics['packetbeat.transactions.published'],
      eventsAcked: metrics['libbeat.output.events.acked'],
      wallSeconds: Number(r.wallSeconds.toFixed(3)),
      ...(cpu === undefined ? {} : { cpuSeconds: cpu }),
      ...(r.peakRssKb === undefined ? {} : { peakRssMb: Number((r.peakRssKb / 1024).toFixed(1)) }),
      nodeFlags,
      profilerFlags: profilerFlags.map((f) => f.replace(profDir, '<temp dir>')),
      config: configYaml('file', ports, '<temp dir>'),
      threadProfiles: profiles.length,
      ...analysis,
    };
    return { summary, rawProfile };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the profile

/** The parts of V8's `.cpuprofile` (Profiler.Profile in the DevTools protocol) used here. */
export interface CpuProfile {
  readonly nodes: CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: number[];
  /** Microseconds since the previous sample (the first: since startTime). */
  readonly timeDeltas?: number[];
}

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly hitCount?: number;
  readonly children?: number[];
}

export function parseCpuProfile(text: string): CpuProfile {
  const p = JSON.parse(text) as Partial<CpuProfile> | null;
  if (p === null || typeof p !== 'object' || !Array.isArray(p.nodes) || typeof p.startTime !== 'number' || typeof p.endTime !== 'number') throw new Error('not a V8 .cpuprofile (no nodes/startTime/endTime)');
  return p as CpuProfile;
}

export interface ProfileFunctionRow {
  readonly name: string;
  /** Source file relative to the repository (through the source map when there is one), `node:…`, or `(native)`. */
  readonly file: string;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  readonly area: string;
  readonly selfMs: number;
  readonly selfPct: number;
  /** Inclusive time (the function and what it calls), recursion counted once. */
  readonly totalMs: number;
  readonly totalPct: number;
}

export interface ProfileAreaRow {
  readonly area: string;
  readonly selfMs: number;
  readonly selfPct: number;
  readonly functions: number;
  /** The function with the most self time in the area. */
  readonly top: string;
}

export interface KeyFunctionRow {
  readonly key: string;
  /** The matched functions (name file:line), or why there is none. */
  readonly matched: string;
  readonly found: boolean;
  readonly selfMs: number;
  readonly totalMs: number;
  readonly totalPct: number;
}

export interface ProfileAnalysis {
  /** Sum of the sample intervals (≈ endTime - startTime). */
  readonly profiledSeconds: number;
  readonly samples: number;
  readonly meanIntervalUs: number;
  readonly shares: {
    readonly gcPct: number;
    readonly programPct: number;
    readonly idlePct: number;
    readonly gcMs: number;
    readonly programMs: number;
    readonly idleMs: number;
  };
  readonly top: ProfileFunctionRow[];
  readonly areas: ProfileAreaRow[];
  readonly keyFunctions: KeyFunctionRow[];
}

export interface ProfileSummary extends ProfileAnalysis {
  readonly capture: string;
  readonly packets: number;
  readonly bytes: number;
  readonly transactions: number | undefined;
  readonly eventsAcked: number | undefined;
  readonly wallSeconds: number;
  readonly cpuSeconds?: number;
  readonly peakRssMb?: number;
  readonly nodeFlags: string[];
  readonly profilerFlags: string[];
  readonly config: string;
  /** `.cpuprofile` files node wrote (one per thread). */
  readonly threadProfiles: number;
}

/** Where a call frame lives: the display file and line, and its area. */
interface Place {
  readonly file: string;
  readonly line: number;
  readonly area: string;
}

const SPECIAL_AREAS: Record<string, string> = {
  '(garbage collector)': 'GC',
  '(program)': '(program)',
  '(idle)': '(idle)',
  '(root)': '(root)',
};

/** Resolves call frames to repository files (through the dist source maps) and areas. */
class Placer {
  private readonly maps = new Map<string, SourceMap | null>();
  private readonly cache = new Map<string, Place>();

  constructor(private readonly repoRoot: string) {}

  place(frame: CpuProfileNode['callFrame']): Place {
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
    let p = this.cache.get(key);
    if (p === undefined) {
      p = this.resolve(frame);
      this.cache.set(key, p);
    }
    return p;
  }

  private resolve(frame: CpuProfileNode['callFrame']): Place {
    const jsLine = frame.lineNumber >= 0 ? frame.lineNumber + 1 : 0;
    const special = SPECIAL_AREAS[frame.functionName];
    if (frame.url === '') return { file: special === undefined ? '(native)' : '', line: 0, area: special ?? 'V8/native' };
    if (frame.url.startsWith('node:')) return { file: frame.url, line: jsLine, area: 'node internals' };
    let abs: string;
    try {
      abs = frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url;
    } catch {
      return { file: frame.url, line: jsLine, area: 'other' };
    }
    const rel = path.relative(this.repoRoot, abs);
    const inRepo = !rel.startsWith('..') && !path.isAbsolute(rel);
    const area = areaOf(inRepo ? rel : abs, inRepo);
    if (!inRepo) return { file: abs, line: jsLine, area };
    const mapped = frame.lineNumber >= 0 ? this.mapped(abs, frame.lineNumber, Math.max(0, frame.columnNumber)) : undefined;
    return mapped === undefined ? { file: rel, line: jsLine, area } : { file: path.relative(this.repoRoot, mapped.file), line: mapped.line, area };
  }

  /** The original (TypeScript) place of a 0-based JS position, when `<file>.map` says. */
  private mapped(jsFile: string, line: number, column: number): { file: string; line: number } | undefined {
    let map = this.maps.get(jsFile);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(fs.readFileSync(`${jsFile}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
      } catch {
        map = null;
      }
      this.maps.set(jsFile, map);
    }
    if (map === null) return undefined;
    const e = map.findEntry(line, column) as Partial<{ originalSource: string; originalLine: number }>;
    if (e.originalSource === undefined || e.originalLine === undefined) return undefined;
    const src = e.originalSource.startsWith('file:') ? fileURLToPath(e.originalSource) : path.resolve(path.dirname(jsFile), e.originalSource);
    return { file: src, line: e.originalLine + 1 };
  }
}

/**
 * The area of a file: for `packages/<pkg>/dist/src/<a>/<b>/…` it is
 * `<pkg>/<a>/<b>`, for `…/dist/src/<a>/file.js` `<pkg>/<a>`, for a file
 * right in src `<pkg>/<file>.ts`; dependencies are `deps/<package>`.
 */
export function areaOf(file: string, inRepo: boolean): string {
  const parts = file.split(path.sep);
  const nm = parts.lastIndexOf('node_modules');
  if (nm >= 0) {
    const pkg = parts[nm + 1] ?? '';
    return `deps/${pkg.startsWith('@') ? `${pkg}/${parts[nm + 2] ?? ''}` : pkg}`;
  }
  if (!inRepo) return 'other';
  if (parts[0] === 'packages' && parts.length >= 3) {
    const pkg = parts[1] ?? '';
    if (parts[2] === 'dist' && parts[3] === 'src') {
      const rest = parts.slice(4);
      const folders = rest.slice(0, -1);
      if (folders.length === 0) return `${pkg}/${(rest[0] ?? '').replace(/\.[cm]?js$/, '')}.ts`;
      return `${pkg}/${folders.slice(0, 2).join('/')}`;
    }
    return `${pkg}/${parts[2] === 'dist' ? (parts[3] ?? '') : (parts[2] ?? '')}`;
  }
  return parts.length > 1 ? (parts[0] ?? 'other') : 'other';
}

/** A key function: matched by name and, optionally, file. */
interface KeyMatcher {
  readonly key: string;
  readonly name: RegExp;
  readonly url?: RegExp;
  /** Said when nothing matches. */
  readonly missing?: string;
}

const KEY_FUNCTIONS: readonly KeyMatcher[] = [
  { key: 'transactionEvent (packetbeat/publish)', name: /^transactionEvent$/, url: /\/publish\/transaction-event\.js$/ },
  {
    key: 'JSON.stringify',
    name: /^(JSON\.)?stringify$|^JsonStringify/,
    url: /^$/,
    missing: 'no frame of its own (a C++ builtin): its time is self time of its JS callers, mostly encodeTo',
  },
  { key: 'JsonEncoder.encodeTo (libbeat/outputs/codec)', name: /^encodeTo$/, url: /\/outputs\/codec\.js$/ },
  { key: 'FileClient.publish (file output: encode + write)', name: /^publish$/, url: /\/outputs\/file\.js$/ },
  { key: 'encodeLinesInto (codec, whole batch)', name: /^encodeLinesInto$/, url: /\/outputs\/codec\.js$/ },
  { key: 'FileRotator.write (file output write path)', name: /^write$/, url: /\/common\/file-rotator\.js$/ },
  { key: 'fs.writeSync', name: /^writeSync$/, url: /^node:fs$/ },
  { key: 'writeBuffer (native fs write)', name: /^writeBuffer$/, url: /^$/ },
];

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Sums a profile up. Each sample's time is its `timeDeltas` entry, given
 * to the sample's node (the function on top of the stack).
 */
export function analyzeCpuProfile(profile: CpuProfile, repoRoot: string, topN = 25): ProfileAnalysis {
  const byId = new Map<number, CpuProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  // Self time per node, in microseconds.
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  if (samples.length > 0 && deltas.length === samples.length) {
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i] ?? -1;
      const d = Math.max(0, deltas[i] ?? 0); // V8 now and then reports a sample a microsecond early
      self.set(id, (self.get(id) ?? 0) + d);
      totalUs += d;
    }
  } else {
    // No sample list: hit counts spread evenly over the profile's span.
    const hits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
    const each = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
    for (const n of profile.nodes) self.set(n.id, (n.hitCount ?? 0) * each);
    totalUs = hits * each;
  }
  const pct = (us: number): number => (totalUs > 0 ? round2((100 * us) / totalUs) : 0);
  const ms = (us: number): number => round1(us / 1000);

  const placer = new Placer(repoRoot);
  const fnKey = (n: CpuProfileNode): string => {
    const f = n.callFrame;
    return `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
  };

  // Self time per function (all the call paths of one function together).
  const fns = new Map<string, { node: CpuProfileNode; selfUs: number }>();
  for (const n of profile.nodes) {
    const k = fnKey(n);
    const f = fns.get(k);
    if (f === undefined) fns.set(k, { node: n, selfUs: self.get(n.id) ?? 0 });
    else f.selfUs += self.get(n.id) ?? 0;
  }

  // The tree: roots are the nodes nobody lists as a child.
  const childIds = new Set<number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) childIds.add(c);
  const roots = profile.nodes.filter((n) => !childIds.has(n.id));
  // Subtree time per node, children before parents.
  const order: CpuProfileNode[] = [];
  {
    const stack = [...roots];
    while (stack.length > 0) {
      const n = stack.pop();
      if (n === undefined) break;
      order.push(n);
      for (const c of n.children ?? []) {
        const child = byId.get(c);
        if (child !== undefined) stack.push(child);
      }
    }
  }
  const subtree = new Map<number, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n === undefined) continue;
    let t = self.get(n.id) ?? 0;
    for (const c of n.children ?? []) t += subtree.get(c) ?? 0;
    subtree.set(n.id, t);
  }
  /** Inclusive time of the nodes matching `match`: a match under a match (recursion) is counted once. */
  const inclusive = (match: (n: CpuProfileNode) => boolean): { totalUs: number; selfUs: number; nodes: CpuProfileNode[] } => {
    let total = 0;
    let selfUs = 0;
    const matched: CpuProfileNode[] = [];
    const stack: Array<{ n: CpuProfileNode; inside: boolean }> = roots.map((n) => ({ n, inside: false }));
    while (stack.length > 0) {
      const top = stack.pop();
      if (top === undefined) break;
      const hit = match(top.n);
      if (hit) {
        matched.push(top.n);
        selfUs += self.get(top.n.id) ?? 0;
        if (!top.inside) total += subtree.get(top.n.id) ?? 0;
      }
      for (const c of top.n.children ?? []) {
        const child = byId.get(c);
        if (child !== undefined) stack.push({ n: child, inside: top.inside || hit });
      }
    }
    return { totalUs: total, selfUs, nodes: matched };
  };

  const label = (n: CpuProfileNode): string => {
    const p = placer.place(n.callFrame);
    const name = n.callFrame.functionName === '' ? '(anonymous)' : n.callFrame.functionName;
    return p.file === '' ? name : `${name} ${p.file}${p.line > 0 ? `:${p.line}` : ''}`;
  };

  const ranked = [...fns.entries()].sort((a, b) => b[1].selfUs - a[1].selfUs);
  const top: ProfileFunctionRow[] = ranked.slice(0, topN).map(([k, f]) => {
    const p = placer.place(f.node.callFrame);
    const inc = inclusive((n) => fnKey(n) === k);
    return {
      name: f.node.callFrame.functionName === '' ? '(anonymous)' : f.node.callFrame.functionName,
      file: p.file,
      line: p.line,
      area: p.area,
      selfMs: ms(f.selfUs),
      selfPct: pct(f.selfUs),
      totalMs: ms(inc.totalUs),
      totalPct: pct(inc.totalUs),
    };
  });

  const areaAcc = new Map<string, { us: number; functions: number; topUs: number; top: string }>();
  for (const [, f] of ranked) {
    if (f.selfUs <= 0) continue;
    const area = placer.place(f.node.callFrame).area;
    const a = areaAcc.get(area) ?? { us: 0, functions: 0, topUs: -1, top: '' };
    a.us += f.selfUs;
    a.functions++;
    if (f.selfUs > a.topUs) {
      a.topUs = f.selfUs;
      a.top = `${label(f.node)} (${ms(f.selfUs)} ms)`;
    }
    areaAcc.set(area, a);
  }
  const areas: ProfileAreaRow[] = [...areaAcc.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .map(([area, a]) => ({ area, selfMs: ms(a.us), selfPct: pct(a.us), functions: a.functions, top: a.top }));

  const keyFunctions: KeyFunctionRow[] = KEY_FUNCTIONS.map((k) => {
    const r = inclusive((n) => k.name.test(n.callFrame.functionName) && (k.url === undefined || k.url.test(n.callFrame.url)));
    if (r.nodes.length === 0) return { key: k.key, matched: `not in the profile${k.missing === undefined ? '' : `: ${k.missing}`}`, found: false, selfMs: 0, totalMs: 0, totalPct: 0 };
    const names = [...new Set(r.nodes.map(label))];
    return {
      key: k.key,
      matched: names.length > 2 ? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more` : names.join(', '),
      found: true,
      selfMs: ms(r.selfUs),
      totalMs: ms(r.totalUs),
      totalPct: pct(r.totalUs),
    };
  });

  const selfOfName = (name: string): number => profile.nodes.filter((n) => n.callFrame.functionName === name && n.callFrame.url === '').reduce((s, n) => s + (self.get(n.id) ?? 0), 0);
  const gc = selfOfName('(garbage collector)');
  const program = selfOfName('(program)');
  const idle = selfOfName('(idle)');
  const counted = samples.length > 0 ? samples.length : profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  return {
    profiledSeconds: round2(totalUs / 1e6),
    samples: counted,
    meanIntervalUs: counted > 0 ? round1(totalUs / counted) : 0,
    shares: { gcPct: pct(gc), programPct: pct(program), idlePct: pct(idle), gcMs: ms(gc), programMs: ms(program), idleMs: ms(idle) },
    top,
    areas,
    keyFunctions,
  };
}

// ---------------------------------------------------------------- printing

export interface ProfileTable {
  /** One line said before the table. */
  readonly title: string;
  readonly rows: Array<Record<string, string>>;
}

function fmtMs(x: number): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function fmtPct(x: number): string {
  return x.toFixed(1);
}

export function profileTables(s: ProfileSummary): ProfileTable[] {
  const n = (x: number | undefined): string => (x === undefined ? '' : Math.round(x).toLocaleString('en-US'));
  const js = 100 - s.shares.gcPct - s.shares.programPct - s.shares.idlePct;
  return [
    {
      title:
        `\nCPU profile of packetbeat-ts → file on ${s.capture} (the captures part's "→ file" run: node ${s.nodeFlags.join(' ')} ${s.profilerFlags.join(' ')}; ` +
        `one analysis thread; % of profiled time, start-up and shutdown included):`,
      rows: [
        {
          capture: s.capture,
          packets: n(s.packets),
          transactions: n(s.transactions),
          'wall s': s.wallSeconds.toFixed(2),
          'cpu s': s.cpuSeconds === undefined ? '' : s.cpuSeconds.toFixed(2),
          'profiled s': s.profiledSeconds.toFixed(2),
          samples: n(s.samples),
          'interval µs': s.meanIntervalUs.toFixed(0),
          'GC %': fmtPct(s.shares.gcPct),
          '(program) %': fmtPct(s.shares.programPct),
          '(idle) %': fmtPct(s.shares.idlePct),
          'JS + native %': fmtPct(js),
        },
      ],
    },
    {
      title: `\ntop ${s.top.length} functions by self time (file:line in the TypeScript source where the source map says; total = the function and its callees):`,
      rows: s.top.map((r) => ({
        function: r.name,
        file: r.file,
        line: r.line > 0 ? String(r.line) : '',
        area: r.area,
        'self ms': fmtMs(r.selfMs),
        'self %': fmtPct(r.selfPct),
        'total ms': fmtMs(r.totalMs),
        'total %': fmtPct(r.totalPct),
      })),
    },
    {
      title: '\nself time by area (<package>/<folder>[/<subfolder>] of dist/src; GC, (program), (idle), node internals, V8/native):',
      rows: s.areas.map((a) => ({ area: a.area, 'self ms': fmtMs(a.selfMs), 'self %': fmtPct(a.selfPct), functions: String(a.functions), 'top function': a.top })),
    },
    {
      title: '\nkey functions, inclusive (total) time:',
      rows: s.keyFunctions.map((k) => ({
        function: k.key,
        'total ms': k.found ? fmtMs(k.totalMs) : '',
        'total %': k.found ? fmtPct(k.totalPct) : '',
        'self ms': k.found ? fmtMs(k.selfMs) : '',
        matched: k.matched,
      })),
    },
  ];
}
