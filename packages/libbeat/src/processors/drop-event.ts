import { ConfigReader } from './config.js';
import type { Processor, ProcessorFactory } from './processor.js';

/** `drop_event`: drops every event it sees (use with `when`). */
export class DropEventProcessor implements Processor {
  readonly name = 'drop_event';

  run(): null {
    return null;
  }
}

export const dropEventFactory: ProcessorFactory = {
  name: 'drop_event',
  create(config) {
    new ConfigReader('drop_event', config).allowOnly();
    return new DropEventProcessor();
  },
};
