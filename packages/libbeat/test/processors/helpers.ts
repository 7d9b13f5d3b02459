import { expect } from 'chai';
import type { BeatInfo } from '../../src/beat/info.js';
import { BeatError, type ErrorCode } from '../../src/errors.js';
import type { BeatEvent, EventFields } from '../../src/event.js';
import type { LogFields, Logger } from '../../src/logging/logger.js';
import { createProcessors } from '../../src/processors/create.js';
import type { Processor, ProcessorContext } from '../../src/processors/processor.js';

export interface LogLine {
  level: string;
  message: string;
  fields?: LogFields;
}

/** A logger that records what it is given. */
export class MemoryLogger implements Logger {
  constructor(
    readonly name = 'test',
    readonly lines: LogLine[] = [],
  ) {}

  private add(level: string, message: string, fields?: LogFields): void {
    this.lines.push(fields === undefined ? { level, message } : { level, message, fields });
  }

  debug(message: string, fields?: LogFields): void {
    this.add('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.add('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.add('warning', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.add('error', message, fields);
  }
  isDebugEnabled(): boolean {
    return true;
  }
  named(name: string): Logger {
    return new MemoryLogger(`${this.name}.${name}`, this.lines);
  }
}

export const beatInfo: BeatInfo = {
  beat: 'testbeat',
  name: 'test-host',
  version: '0.1.0',
  id: '00000000-0000-0000-0000-000000000000',
  ephemeralId: '11111111-1111-1111-1111-111111111111',
  hostname: 'test-host',
  startTime: new Date('2024-01-01T00:00:00Z'),
};

export function makeCtx(logger = new MemoryLogger()): ProcessorContext & { logger: MemoryLogger } {
  return { beat: beatInfo, logger };
}

export const T0 = new Date('2024-05-06T07:08:09.123Z');

/** A fresh event; `fields` is copied so test fixtures stay intact. */
export function ev(fields: EventFields = {}, meta?: EventFields, timestamp: Date = T0): BeatEvent {
  const e: BeatEvent = { timestamp, fields: structuredClone(fields) };
  if (meta !== undefined) e.meta = structuredClone(meta);
  return e;
}

/** Builds a single processor from its name and settings through the real list builder. */
export function build(name: string, settings: unknown = {}, ctx: ProcessorContext = makeCtx()): Processor {
  const [p] = createProcessors([{ [name]: settings }], ctx);
  if (p === undefined) throw new Error('no processor built');
  return p;
}

/** Runs one processor and returns the resulting event (failing the test if it was dropped). */
export function runOne(p: Processor, event: BeatEvent): BeatEvent {
  const out = p.run(event);
  if (out === null) throw new Error('event was dropped');
  return out;
}

/** Asserts `fn` throws a BeatError with `code` whose message contains every `parts`. */
export function expectBeatError(fn: () => unknown, code: ErrorCode, ...parts: string[]): BeatError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a BeatError').to.be.instanceOf(BeatError);
  const err = caught as BeatError;
  expect(err.code).to.equal(code);
  for (const part of parts) expect(err.message).to.include(part);
  return err;
}

/**
 * Fields as they appear in the published JSON document. A removed field is
 * kept as `undefined` in memory (see common/fields.ts deleteField), which
 * JSON omits: compare documents, not objects.
 */
export function doc(fields: EventFields | undefined): unknown {
  return fields === undefined ? undefined : (JSON.parse(JSON.stringify(fields)) as unknown);
}
