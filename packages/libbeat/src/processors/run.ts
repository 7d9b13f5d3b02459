import type { BeatEvent } from '../event.js';
import { errorMessage } from '../errors.js';
import { appendErrorMessage } from './error-message.js';
import type { Processor } from './processor.js';

/**
 * Runs processors in order; returns null as soon as one drops the event.
 * A processor that throws (a bug, or a third-party one) does not stop the
 * chain: as in Beats' pipeline, processing goes on with the event, which
 * records the failure in `error.message`.
 */
export function runProcessors(processors: readonly Processor[], event: BeatEvent): BeatEvent | null {
  let current = event;
  for (const p of processors) {
    let next: BeatEvent | null;
    try {
      next = p.run(current);
    } catch (err) {
      appendErrorMessage(current, `failed applying processor ${p.name}: ${errorMessage(err)}`);
      continue;
    }
    if (next === null) return null;
    current = next;
  }
  return current;
}

/** Closes every processor that needs it, ignoring errors so all get their turn. */
export function closeProcessors(processors: readonly Processor[]): void {
  for (const p of processors) {
    try {
      p.close?.();
    } catch {
      // A failing close must not keep the others open.
    }
  }
}
