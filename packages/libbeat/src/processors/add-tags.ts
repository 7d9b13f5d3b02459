import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { getField, putField } from '../common/fields.js';
import { ConfigReader } from './config.js';
import type { Processor, ProcessorFactory } from './processor.js';

/**
 * Appends `tags` to the list at `key`, as Beats' AddTagsWithKey: creates the
 * list if absent, appends without de-duplicating, and fails if the field
 * holds something other than a list.
 */
export function addTagsWithKey(fields: Record<string, unknown>, key: string, tags: readonly string[]): string | undefined {
  if (tags.length === 0) return undefined;
  const existing = getField(fields, key);
  if (existing === undefined) {
    putField(fields, key, [...tags]);
    return undefined;
  }
  if (!Array.isArray(existing)) return `expected string array at ${key}, found ${typeof existing}`;
  existing.push(...tags);
  return undefined;
}

/** `add_tags`: appends `tags` to `target` (default `tags`). */
export class AddTagsProcessor implements Processor {
  readonly name = 'add_tags';

  constructor(
    private readonly tags: readonly string[],
    private readonly target: string,
    private readonly logger: Logger,
  ) {}

  run(event: BeatEvent): BeatEvent {
    const problem = addTagsWithKey(event.fields, this.target, this.tags);
    // Beats reports this as a processor error, which the pipeline only logs.
    if (problem !== undefined) this.logger.debug(`add_tags: ${problem}`);
    return event;
  }
}

export const addTagsFactory: ProcessorFactory = {
  name: 'add_tags',
  create(config, ctx) {
    const r = new ConfigReader('add_tags', config);
    r.allowOnly('tags', 'target');
    const tags = r.stringList('tags', true);
    const target = r.string('target', '') || 'tags';
    return new AddTagsProcessor(tags, target, ctx.logger);
  },
};
