import type { BeatEvent } from '../event.js';
import type { Condition, Processor } from './processor.js';
import { closeProcessors, runProcessors } from './run.js';

/** An `if`/`then`/`else` entry: runs one list of processors or the other. */
export class IfThenElseProcessor implements Processor {
  readonly name = 'if';

  constructor(
    readonly condition: Condition,
    readonly then: readonly Processor[],
    readonly otherwise: readonly Processor[],
  ) {}

  run(event: BeatEvent): BeatEvent | null {
    return runProcessors(this.condition.check(event) ? this.then : this.otherwise, event);
  }

  close(): void {
    closeProcessors(this.then);
    closeProcessors(this.otherwise);
  }
}
