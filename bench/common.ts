/**
 * What the benchmarks share: a quiet logger, the beat identity, the
 * processors of a typical config, and a transaction-like event.
 */
import { createProcessors, type BeatEvent, type BeatInfo, type LogFields, type Logger, type Processor } from '@packetbeat-ts/libbeat';

/** Logs warnings and errors only, to stderr. */
export class BenchLogger implements Logger {
  readonly name: string;
  constructor(name = 'bench') {
    this.name = name;
  }
  debug(): void {}
  info(): void {}
  warn(message: string, fields?: LogFields): void {
    console.error(`WARN  ${this.name}: ${message}`, fields ?? '');
  }
  error(message: string, fields?: LogFields): void {
    console.error(`ERROR ${this.name}: ${message}`, fields ?? '');
  }
  isDebugEnabled(): boolean {
    return false;
  }
  named(name: string): Logger {
    return new BenchLogger(`${this.name}.${name}`);
  }
}

export const benchInfo: BeatInfo = {
  beat: 'packetbeat',
  name: 'bench',
  version: '0.0.0',
  id: '00000000-0000-0000-0000-000000000000',
  ephemeralId: '00000000-0000-0000-0000-000000000001',
  hostname: 'bench',
  startTime: new Date(),
};

/** The processors of a typical config: drop a scratch field per input, add a label globally. */
export function benchProcessors(): { client: Processor[]; global: Processor[] } {
  const ctx = { beat: benchInfo, logger: new BenchLogger('processors') };
  return {
    client: createProcessors([{ drop_fields: { fields: ['tmp', 'event.original'] } }], ctx),
    global: createProcessors([{ add_fields: { target: 'labels', fields: { env: 'bench' } } }], ctx),
  };
}

/** A packetbeat-like transaction event, stamped with the current time like a live capture. */
export function makeEvent(i: number): BeatEvent {
  return {
    timestamp: new Date(),
    fields: {
      type: 'dns',
      status: 'OK',
      source: { ip: '10.0.0.1', port: 53000 + (i & 1023) },
      destination: { ip: '10.0.0.2', port: 53 },
      network: { transport: 'udp', protocol: 'dns' },
      event: { duration: i, original: 'x' },
      tmp: i,
    },
  };
}

