import { flattenFields, isPlainObject } from '../common/fields.js';
import { conditionError } from './condition-error.js';

/**
 * The `field: value` map of a field condition, flattened to dotted keys as
 * Beats does, so `{http: {response: {code: 200}}}` and
 * `{http.response.code: 200}` mean the same.
 */
export function readFieldMap(config: unknown, path: string): [string, unknown][] {
  if (!isPlainObject(config)) throw conditionError(path, 'expected a map of field names to values');
  const entries = Object.entries(flattenFields(config));
  if (entries.length === 0) throw conditionError(path, 'at least one field is required');
  return entries;
}
