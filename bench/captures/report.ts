/**
 * Printing the capture benchmarks: the per-capture table, the targets and
 * the live table.
 */
import type { Corpus } from './corpus.js';
import type { LiveResult } from './live.js';
import type { CaptureSuiteReport, ToolResult } from './suite.js';

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function ratio(x: number): string {
  if (!Number.isFinite(x) || x <= 0) return '';
  if (x >= 100) return `${x.toFixed(0)}x`;
  if (x >= 10) return `${x.toFixed(1)}x`;
  if (x >= 0.1) return `${x.toFixed(2)}x`;
  return `${x.toFixed(3)}x`;
}

export function captureRows(report: CaptureSuiteReport): Array<Record<string, string>> {
  const byCapture = new Map<string, ToolResult[]>();
  for (const r of report.results) byCapture.set(r.capture, [...(byCapture.get(r.capture) ?? []), r]);
  const rows: Array<Record<string, string>> = [];
  for (const [capture, results] of byCapture) {
    const tshark = results.find((r) => r.tool === 'tshark' && r.skipped === undefined);
    const floor = results.find((r) => r.tool === 'tcpdump' && r.skipped === undefined);
    for (const r of results) {
      if (r.skipped !== undefined) {
        rows.push({ capture, tool: r.label, packets: '', MB: '', 'wall s': '', 'cpu s': '', 'pkts/s': '', 'MB/s': '', events: '', 'events/s': '', 'RSS MB': '', 'vs tshark': '', 'vs floor': '', note: `skipped: ${r.skipped}` });
        continue;
      }
      const ours = r.tool.startsWith('ours');
      rows.push({
        capture,
        tool: r.label,
        packets: fmt(r.packets),
        MB: (r.bytes / 1e6).toFixed(1),
        'wall s': r.wallSeconds.toFixed(2),
        'cpu s': r.cpuSeconds === undefined ? '' : r.cpuSeconds.toFixed(2),
        'pkts/s': fmt(r.packetsPerSecond),
        'MB/s': r.mbPerSecond.toFixed(1),
        events: r.events === undefined ? '' : fmt(r.events),
        'events/s': r.eventsPerSecond === undefined ? '' : fmt(r.eventsPerSecond),
        'RSS MB': r.peakRssMb === undefined ? 'n/a' : r.peakRssMb.toFixed(0),
        'vs tshark': (ours || r.tool === 'tcpdump') && tshark !== undefined ? ratio(r.packetsPerSecond / tshark.packetsPerSecond) : '',
        'vs floor': r.tool !== 'tcpdump' && floor !== undefined ? ratio(r.packetsPerSecond / floor.packetsPerSecond) : '',
        note: [r.eventsAre ?? '', r.note ?? ''].filter((s) => s !== '').join('; '),
      });
    }
  }
  return rows;
}

export interface TargetCheck {
  readonly target: string;
  readonly goal: string;
  readonly measured: string;
  /** Without our start-up and shutdown (measured on a one-packet capture). */
  readonly steady?: string;
  readonly met: 'yes' | 'NO' | 'n/a';
  readonly basis: string;
}

function find(report: CaptureSuiteReport, capture: string, tool: ToolResult['tool']): ToolResult | undefined {
  return report.results.find((r) => r.capture === capture && r.tool === tool && r.skipped === undefined);
}

function steadyRate(n: number, r: ToolResult, startup: number | undefined): string | undefined {
  if (startup === undefined || r.wallSeconds - startup <= 0) return undefined;
  return fmt(n / (r.wallSeconds - startup));
}

/** The targets (per core, pcap replay), judged on wall-clock rates of whole runs, start-up included. */
export function targetChecks(report: CaptureSuiteReport, loops: number): TargetCheck[] {
  const s = report.startupSeconds;
  const out: TargetCheck[] = [];
  // Decode+flow, one pass and the looped run (start-up amortized): both are shown.
  for (const df of [find(report, 'mixed', 'ours-decode-flow'), find(report, 'mixed', 'ours-decode-flow-loop')]) {
    if (df === undefined) continue;
    out.push({
      target: `decode+flow, mixed capture${df.loops === undefined ? ', one pass' : `, -l ${df.loops}`}`,
      goal: '>= 3,000,000 packets/s',
      measured: `${fmt(df.packetsPerSecond)} packets/s`,
      ...(df.loops === undefined ? { steady: steadyRate(df.packets, df, s) } : {}),
      met: df.packetsPerSecond >= 3_000_000 ? 'yes' : 'NO',
      basis: `${fmt(df.packets)} packets in ${df.wallSeconds.toFixed(2)} s wall (${df.cpuSeconds?.toFixed(2) ?? '?'} s cpu)`,
    });
  }
  const file = find(report, 'mixed', 'ours-file');
  out.push({
    target: 'full analysis → file, mixed capture',
    goal: '>= 500,000 packets/s',
    measured: file === undefined ? 'n/a' : `${fmt(file.packetsPerSecond)} packets/s`,
    ...(file === undefined ? {} : { steady: steadyRate(file.packets, file, s) }),
    met: file === undefined ? 'n/a' : file.packetsPerSecond >= 500_000 ? 'yes' : 'NO',
    basis: file === undefined ? 'no run' : `${fmt(file.packets)} packets in ${file.wallSeconds.toFixed(2)} s wall (${file.cpuSeconds?.toFixed(2) ?? '?'} s cpu)`,
  });
  out.push({
    target: 'full analysis → file, mixed capture',
    goal: '>= 150,000 transactions/s',
    measured: file?.eventsPerSecond === undefined ? 'n/a' : `${fmt(file.eventsPerSecond)} transactions/s`,
    ...(file?.events === undefined ? {} : { steady: steadyRate(file.events, file, s) }),
    met: file?.eventsPerSecond === undefined ? 'n/a' : file.eventsPerSecond >= 150_000 ? 'yes' : 'NO',
    basis: file?.events === undefined ? 'no run' : `${fmt(file.events)} transactions written (flows off)`,
  });
  const twoWorkers = find(report, 'mixed', 'ours-file-2w');
  if (file !== undefined && twoWorkers !== undefined) {
    const speedup = file.wallSeconds / twoWorkers.wallSeconds;
    const same = file.events !== undefined && file.events === twoWorkers.events && file.outputDigest !== undefined && file.outputDigest === twoWorkers.outputDigest;
    const order = file.outputDigest === twoWorkers.outputDigest ? 'the same documents in the same order' : 'documents or their order differ';
    out.push({
      target: '2 worker threads vs one, mixed capture → file',
      goal: '>= 1.7x, the same documents in the same order',
      measured: `${speedup.toFixed(2)}x; ${fmt(twoWorkers.events ?? 0)} vs ${fmt(file.events ?? 0)} transactions, ${order}`,
      met: speedup >= 1.7 && same ? 'yes' : 'NO',
      basis: `wall ${file.wallSeconds.toFixed(2)} s (cpu ${file.cpuSeconds?.toFixed(2) ?? '?'} s) with packetbeat.workers: 1, ${twoWorkers.wallSeconds.toFixed(2)} s (cpu ${twoWorkers.cpuSeconds?.toFixed(2) ?? '?'} s) with 2`,
    });
  }
  const many = report.results.filter((r) => r.capture === 'many-flows' && r.tool.startsWith('ours') && r.tool !== 'ours-all-loop' && r.skipped === undefined && r.peakRssMb !== undefined);
  const worst = many.reduce<ToolResult | undefined>((w, r) => (w === undefined || (r.peakRssMb ?? 0) > (w.peakRssMb ?? 0) ? r : w), undefined);
  out.push({
    target: 'peak RSS, many-flows capture',
    goal: '<= 400 MB',
    measured: worst?.peakRssMb === undefined ? 'n/a' : `${worst.peakRssMb.toFixed(0)} MB`,
    met: worst?.peakRssMb === undefined ? 'n/a' : worst.peakRssMb <= 400 ? 'yes' : 'NO',
    basis: worst === undefined ? 'no run' : `highest of our ${many.length} runs on it: ${worst.label}`,
  });
  const l1 = find(report, 'many-flows', 'ours-all-l1');
  const ln = find(report, 'many-flows', 'ours-all-loop');
  // Flat: the second half of the long replay peaks no higher than its first half (5% + 10 MB of slack).
  const prof = ln?.rss;
  const flat = prof === undefined ? undefined : prof.secondHalfPeakMb <= prof.firstHalfPeakMb * 1.05 + 10;
  out.push({
    target: `peak RSS flat over a ${loops}x replay (-l ${loops}), many-flows`,
    goal: '2nd half peak <= 1st half peak (+5%, +10 MB)',
    measured:
      prof === undefined
        ? 'n/a'
        : `1st half ${prof.firstHalfPeakMb.toFixed(0)} MB, 2nd half ${prof.secondHalfPeakMb.toFixed(0)} MB (peak ${ln?.peakRssMb?.toFixed(0) ?? '?'} MB; -l 1: ${l1?.peakRssMb?.toFixed(0) ?? '?'} MB)`,
    met: flat === undefined ? 'n/a' : flat ? 'yes' : 'NO',
    basis: ln === undefined ? 'no run' : `protocols + flows, discard; ${fmt(ln.packets)} packets in ${ln.wallSeconds.toFixed(1)} s; VmRSS sampled every 100 ms`,
  });
  return out;
}

export function liveRows(results: readonly LiveResult[]): Array<Record<string, string>> {
  return results.map((r) =>
    r.skipped !== undefined
      ? { level: r.level, requests: fmt(r.requests), 'achieved req/s': '', transactions: '', share: '', packets: '', 'kernel drops': '', 'queue drops': '', 'RSS MB': '', note: `skipped: ${r.skipped}` }
      : {
          level: r.level,
          requests: fmt(r.requests),
          'achieved req/s': r.achievedRps === undefined ? 'n/a' : fmt(r.achievedRps),
          transactions: r.transactions === undefined ? '' : fmt(r.transactions),
          share: r.sharePct === undefined ? '' : `${r.sharePct.toFixed(2)}%`,
          packets: r.packets === undefined ? 'n/a' : fmt(r.packets),
          'kernel drops': r.kernelDrops === undefined ? 'n/a' : fmt(r.kernelDrops),
          'queue drops': r.queueDrops === undefined ? 'n/a' : fmt(r.queueDrops),
          'RSS MB': r.peakRssMb === undefined ? 'n/a' : r.peakRssMb.toFixed(0),
          note: r.note ?? '',
        },
  );
}

export function corpusRows(corpus: Corpus): Array<Record<string, string>> {
  return corpus.manifest.captures.map((c) => ({
    capture: c.name,
    kind: c.kind,
    packets: c.error === undefined ? fmt(c.packets) : '',
    MB: c.error === undefined ? (c.bytes / 1e6).toFixed(1) : '',
    'span s': c.error === undefined ? c.durationSeconds.toFixed(2) : '',
    protocols: c.protocols.join(', '),
    what: c.error === undefined ? c.description : `not available: ${c.error}`,
  }));
}
