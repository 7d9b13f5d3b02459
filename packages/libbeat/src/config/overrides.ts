import { parse as parseYaml } from 'yaml';
import { BeatError, ErrorCodes } from '../errors.js';
import { expandDottedKeys } from './dotted-keys.js';
import type { EventFields } from '../event.js';

/**
 * One `-E key=value` flag. The value is read as YAML, as Beats does, so
 * `-E queue.mem.events=4096` is a number, `-E tags=[a,b]` a list and
 * `-E output.console.pretty=true` a boolean.
 */
export function parseOverride(flag: string): EventFields {
  const eq = flag.indexOf('=');
  if (eq <= 0) {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `-E ${flag}: expected key=value`, { file: '-E' });
  }
  const key = flag.slice(0, eq).trim();
  const raw = flag.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYaml(raw, { version: '1.1' });
  } catch {
    value = raw;
  }
  if (value === null && raw.trim() !== 'null' && raw.trim() !== '~') value = raw;
  return expandDottedKeys({ [key]: value }) as EventFields;
}
