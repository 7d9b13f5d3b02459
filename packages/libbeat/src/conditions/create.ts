import { isPlainObject } from '../common/fields.js';
import type { Condition } from '../processors/processor.js';
import { AndCondition } from './and.js';
import { conditionError } from './condition-error.js';
import { ContainsCondition } from './contains.js';
import { EqualsCondition } from './equals.js';
import { HasFieldsCondition } from './has-fields.js';
import { NetworkCondition } from './network.js';
import { NotCondition } from './not.js';
import { OrCondition } from './or.js';
import { RangeCondition } from './range.js';
import { RegexpCondition } from './regexp.js';

export const CONDITION_TYPES = ['and', 'contains', 'equals', 'has_fields', 'network', 'not', 'or', 'range', 'regexp'] as const;

function buildList(config: unknown, path: string): Condition[] {
  if (!Array.isArray(config) || config.length === 0) throw conditionError(path, 'expected a non-empty list of conditions');
  return config.map((c, i) => buildCondition(c, `${path}.${i}`));
}

/** Builds one condition from its config; `path` names its place for error messages. */
export function buildCondition(config: unknown, path: string): Condition {
  if (!isPlainObject(config)) throw conditionError(path, 'expected a map with one condition type');
  const keys = Object.keys(config);
  const [type] = keys;
  // Beats silently picks one of several types; refusing is clearer.
  if (type === undefined || keys.length !== 1) {
    throw conditionError(path, `expected exactly one condition type, found ${keys.length === 0 ? 'none' : keys.join(', ')}`);
  }
  const value = config[type];
  const at = path === '' ? type : `${path}.${type}`;
  switch (type) {
    case 'equals':
      return new EqualsCondition(value, at);
    case 'contains':
      return new ContainsCondition(value, at);
    case 'regexp':
      return new RegexpCondition(value, at);
    case 'range':
      return new RangeCondition(value, at);
    case 'network':
      return new NetworkCondition(value, at);
    case 'has_fields':
      return new HasFieldsCondition(value, at);
    case 'and':
      return new AndCondition(buildList(value, at));
    case 'or':
      return new OrCondition(buildList(value, at));
    case 'not':
      return new NotCondition(buildCondition(value, at));
    default:
      throw conditionError(at, `unknown condition type "${type}" (known: ${CONDITION_TYPES.join(', ')})`);
  }
}

/**
 * Builds a condition from a `when:`/`if:` config such as
 * `{equals: {http.response.code: 200}}`. Throws a BeatError
 * (BEAT_ERR_CONDITION_INVALID) naming the bad key.
 */
export function createCondition(config: unknown): Condition {
  return buildCondition(config, '');
}
