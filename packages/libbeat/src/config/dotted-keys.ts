import { isPlainObject } from '../common/fields.js';
import type { EventFields } from '../event.js';

/**
 * Beats reads `output.console.pretty: true` and the nested form alike, at
 * every level (go-ucfg's path separator). convict does not, so configs are
 * normalised to the nested form before loading. Later keys merge into
 * earlier ones, as in a YAML map written both ways.
 */
export function expandDottedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => expandDottedKeys(v));
  if (!isPlainObject(value)) return value;
  const out: EventFields = {};
  for (const [key, raw] of Object.entries(value)) {
    const child = expandDottedKeys(raw);
    const parts = key.split('.');
    let target = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] ?? '';
      const existing = target[part];
      if (isPlainObject(existing)) {
        target = existing;
      } else {
        const created: EventFields = {};
        target[part] = created;
        target = created;
      }
    }
    const last = parts[parts.length - 1] ?? key;
    const existing = target[last];
    if (isPlainObject(existing) && isPlainObject(child)) mergeTrees(existing, child);
    else target[last] = child;
  }
  return out;
}

/** Deep merge of config trees: maps merge, anything else (lists too) replaces. */
export function mergeTrees(target: EventFields, source: EventFields): EventFields {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(existing) && isPlainObject(value)) mergeTrees(existing, value);
    else target[key] = value;
  }
  return target;
}
