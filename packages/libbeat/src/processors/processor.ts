import type { BeatInfo } from '../beat/info.js';
import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';

/**
 * A synchronous event transformation. Returns the (possibly modified) event,
 * or `null` to drop it. Processors must not throw for bad event data: they
 * record the problem on the event (`error.message`) as Beats does, unless
 * `ignore_failure` says otherwise.
 */
export interface Processor {
  readonly name: string;
  run(event: BeatEvent): BeatEvent | null;
  close?(): void;
}

export interface ProcessorContext {
  readonly beat: BeatInfo;
  readonly logger: Logger;
}

/**
 * Builds a processor from its config (the value under its name in a
 * `processors:` list entry, with `when` already removed). Must validate
 * and throw a `BeatError` (`BEAT_ERR_PROCESSOR_INVALID`) naming the bad key;
 * must do no I/O.
 */
export interface ProcessorFactory {
  readonly name: string;
  create(config: Record<string, unknown>, ctx: ProcessorContext): Processor;
}

/** A predicate on an event, as used by `when` and `if`. */
export interface Condition {
  check(event: BeatEvent): boolean;
}
