import { BeatError, ErrorCodes, formatDuration, parseDuration, type BeatConfig } from '@packetbeat-ts/libbeat';
import { parseTarget, type TcpTarget } from './target.js';

/** tcpcheck's settings, validated and resolved. */
export interface TcpcheckSettings {
  readonly targets: readonly TcpTarget[];
  readonly scheduleMs: number;
  readonly timeoutMs: number;
  /** 0: run until stopped. */
  readonly maxChecks: number;
}

/**
 * Reads and validates `tcpcheck.*` (no I/O: `test config` runs this too).
 * Throws a `BeatError` (CONFIG_INVALID) naming the key at fault.
 */
export function readSettings(config: BeatConfig): TcpcheckSettings {
  const invalid = (key: string, message: string): BeatError => {
    const where = config.isSet(key) ? `${config.originOf(key)}: ` : '';
    return new BeatError(ErrorCodes.CONFIG_INVALID, `${where}${key}: ${message}`, {
      key,
      ...(config.isSet(key) ? { file: config.originOf(key) } : {}),
    });
  };

  const hosts = config.get<string[]>('tcpcheck.hosts');
  if (hosts.length === 0) throw invalid('tcpcheck.hosts', 'at least one host:port to check is required');
  const targets: TcpTarget[] = [];
  const seen = new Set<string>();
  for (const entry of hosts) {
    const target = parseTarget(entry);
    if (typeof target === 'string') throw invalid('tcpcheck.hosts', target);
    if (seen.has(target.id)) throw invalid('tcpcheck.hosts', `${target.url} is listed twice`);
    seen.add(target.id);
    targets.push(target);
  }

  const positive = (key: string): number => {
    const ms = parseDuration(config.get(key));
    if (ms === undefined || ms <= 0) throw invalid(key, `must be a positive duration, got ${formatDuration(ms ?? 0)}`);
    return ms;
  };
  return {
    targets,
    scheduleMs: positive('tcpcheck.schedule'),
    timeoutMs: positive('tcpcheck.timeout'),
    maxChecks: config.get<number>('tcpcheck.max_checks'),
  };
}
