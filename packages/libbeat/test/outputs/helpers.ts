import type { BeatInfo } from '../../src/beat/info.js';
import type { BeatEvent } from '../../src/event.js';
import type { LogFields, Logger } from '../../src/logging/logger.js';
import { MetricsRegistry } from '../../src/monitoring/metrics.js';
import type { Batch, OutputContext } from '../../src/outputs/output.js';

export interface LogLine {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

export class MemoryLogger implements Logger {
  readonly lines: LogLine[];
  readonly name: string;

  constructor(name = 'output', lines: LogLine[] = []) {
    this.name = name;
    this.lines = lines;
  }
  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warning', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }
  isDebugEnabled(): boolean {
    return true;
  }
  named(name: string): Logger {
    return new MemoryLogger(`${this.name}.${name}`, this.lines);
  }
}

export const TEST_BEAT: BeatInfo = {
  beat: 'packetbeat',
  name: 'host-1',
  version: '8.15.0',
  id: '00000000-0000-0000-0000-000000000001',
  ephemeralId: '00000000-0000-0000-0000-000000000002',
  hostname: 'host-1',
  startTime: new Date('2024-01-01T00:00:00Z'),
};

export function makeContext(): OutputContext & { logger: MemoryLogger; metrics: MetricsRegistry } {
  return { beat: TEST_BEAT, logger: new MemoryLogger(), metrics: new MetricsRegistry() };
}

export type Settlement =
  | { kind: 'ack' }
  | { kind: 'retry' }
  | { kind: 'retryEvents'; failed: readonly BeatEvent[]; dropped: readonly BeatEvent[] }
  | { kind: 'drop'; reason: string };

export interface TestBatch extends Batch {
  readonly settlements: Settlement[];
}

export function makeBatch(events: readonly BeatEvent[]): TestBatch {
  const settlements: Settlement[] = [];
  return {
    events,
    settlements,
    ack: () => settlements.push({ kind: 'ack' }),
    retry: () => settlements.push({ kind: 'retry' }),
    retryEvents: (failed, dropped = []) => settlements.push({ kind: 'retryEvents', failed, dropped }),
    drop: (reason) => settlements.push({ kind: 'drop', reason }),
  };
}

export function makeEvents(n: number, start = Date.UTC(2024, 4, 17, 10, 0, 0, 0)): BeatEvent[] {
  const out: BeatEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      timestamp: new Date(start + i),
      fields: { message: `event ${i}`, seq: i, type: 'dns', network: { transport: 'udp', bytes: 100 + i } },
    });
  }
  return out;
}
