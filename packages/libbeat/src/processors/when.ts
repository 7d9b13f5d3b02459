import type { BeatEvent } from '../event.js';
import type { Condition, Processor } from './processor.js';

/** A processor with a `when` condition: runs it only on events that match. */
export class WhenProcessor implements Processor {
  readonly name: string;

  constructor(
    readonly condition: Condition,
    readonly processor: Processor,
  ) {
    this.name = processor.name;
  }

  run(event: BeatEvent): BeatEvent | null {
    return this.condition.check(event) ? this.processor.run(event) : event;
  }

  close(): void {
    this.processor.close?.();
  }
}
