import { addFieldsFactory } from './add-fields.js';
import { addHostMetadataFactory } from './add-host-metadata.js';
import { addIdFactory } from './add-id.js';
import { addLabelsFactory } from './add-labels.js';
import { addLocaleFactory } from './add-locale.js';
import { addTagsFactory } from './add-tags.js';
import { communityIdFactory } from './community-id.js';
import { convertFactory } from './convert.js';
import { copyFieldsFactory } from './copy-fields.js';
import { dropEventFactory } from './drop-event.js';
import { dropFieldsFactory } from './drop-fields.js';
import { fingerprintFactory } from './fingerprint.js';
import { includeFieldsFactory } from './include-fields.js';
import type { ProcessorFactory } from './processor.js';
import { ProcessorRegistry } from './registry.js';
import { renameFactory } from './rename.js';
import { truncateFieldsFactory } from './truncate-fields.js';

/** The processors libbeat provides to every beat. */
export const BUILTIN_PROCESSORS: readonly ProcessorFactory[] = [
  addFieldsFactory,
  addHostMetadataFactory,
  addIdFactory,
  addLabelsFactory,
  addLocaleFactory,
  addTagsFactory,
  communityIdFactory,
  convertFactory,
  copyFieldsFactory,
  dropEventFactory,
  dropFieldsFactory,
  fingerprintFactory,
  includeFieldsFactory,
  renameFactory,
  truncateFieldsFactory,
];

/** A new registry holding the built-ins (for tests, or a beat wanting its own set). */
export function createProcessorRegistry(): ProcessorRegistry {
  return new ProcessorRegistry(BUILTIN_PROCESSORS);
}

/** The process-wide registry `createProcessors` uses by default; beats add their processors to it. */
export const processorRegistry: ProcessorRegistry = createProcessorRegistry();
