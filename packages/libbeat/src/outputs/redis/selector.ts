import { isPlainObject } from '../../common/fields.js';
import { compileFormatString, type CompiledFormatString } from '../../common/format-string.js';
import { createCondition } from '../../conditions/index.js';
import { BeatError, ErrorCodes, errorMessage } from '../../errors.js';
import type { BeatEvent } from '../../event.js';
import type { Condition } from '../../processors/processor.js';

/**
 * Key selection as Beats' `outil` selectors (`key` + `keys`), case kept:
 * the `keys` rules are tried in order, then `key`. A rule whose `when`
 * does not match is skipped; a format string that misses a field gives the
 * rule's `default` (or skips the rule); `mappings` turn the formatted value
 * into a key (unknown values: `default`, else skip). An event no rule gives a
 * key is an error (dropped by the output).
 */
export interface RedisKeyRule {
  readonly key?: string;
  readonly mappings?: Readonly<Record<string, string>>;
  readonly default?: string;
  readonly when?: unknown;
}

export interface KeySelector {
  /** The key for `event`, or undefined when no rule yields one. */
  select(event: BeatEvent): string | undefined;
  /** True when every event gets the same key (no `keys`, no `%{…}` in `key`). */
  readonly isConst: boolean;
}

interface CompiledRule {
  readonly format: CompiledFormatString;
  readonly mappings: ReadonlyMap<string, string> | undefined;
  readonly dflt: string | undefined;
  readonly when: Condition | undefined;
}

function ruleError(index: number, message: string, cause?: unknown): BeatError {
  const key = `output.redis.keys.${index}`;
  return new BeatError(ErrorCodes.CONFIG_INVALID, `${key}: ${message}`, cause === undefined ? { key } : { key, cause });
}

function compileRule(rule: unknown, index: number): CompiledRule {
  if (!isPlainObject(rule)) throw ruleError(index, 'expected a map with key (or mappings) and optional default, when');
  for (const k of Object.keys(rule)) {
    if (!['key', 'mappings', 'default', 'when'].includes(k)) throw ruleError(index, `unknown setting "${k}" (key, mappings, default, when)`);
  }
  const key = rule['key'];
  if (typeof key !== 'string' || key === '') throw ruleError(index, 'key must be a non-empty format string');
  let format: CompiledFormatString;
  try {
    format = compileFormatString(key);
  } catch (err) {
    throw ruleError(index, errorMessage(err), err);
  }
  let mappings: Map<string, string> | undefined;
  const m = rule['mappings'];
  if (m !== undefined && m !== null) {
    if (!isPlainObject(m)) throw ruleError(index, 'mappings must be a map of values to keys');
    mappings = new Map();
    for (const [from, to] of Object.entries(m)) {
      if (typeof to !== 'string') throw ruleError(index, `mappings.${from} must be a string`);
      mappings.set(from, to);
    }
  }
  const d = rule['default'];
  if (d !== undefined && d !== null && typeof d !== 'string') throw ruleError(index, 'default must be a string');
  let when: Condition | undefined;
  if (rule['when'] !== undefined && rule['when'] !== null) {
    try {
      when = createCondition(rule['when']);
    } catch (err) {
      throw ruleError(index, `when: ${errorMessage(err)}`, err);
    }
  }
  return { format, mappings, dflt: typeof d === 'string' && d !== '' ? d : undefined, when };
}

function runRule(rule: CompiledRule, event: BeatEvent): string | undefined {
  if (rule.when !== undefined && !rule.when.check(event)) return undefined;
  const r = rule.format.tryRun(event);
  if (typeof r !== 'string' || r === '') return rule.dflt;
  if (rule.mappings === undefined) return r;
  return rule.mappings.get(r) ?? rule.dflt;
}

/** Compiles `key` (already defaulted to the beat name) and `keys`; throws a config BeatError. */
export function buildKeySelector(key: string, keys: readonly RedisKeyRule[]): KeySelector {
  if (!Array.isArray(keys)) throw new BeatError(ErrorCodes.CONFIG_INVALID, 'output.redis.keys: must be a list', { key: 'output.redis.keys' });
  const rules: CompiledRule[] = keys.map((r, i) => compileRule(r, i));
  let fallback: CompiledFormatString;
  try {
    fallback = compileFormatString(key);
  } catch (err) {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `output.redis.key: ${errorMessage(err)}`, { key: 'output.redis.key', cause: err });
  }
  if (rules.length === 0 && fallback.isConst) {
    const constant = fallback.run({ timestamp: new Date(0), fields: {} });
    return { isConst: true, select: () => constant };
  }
  return {
    isConst: false,
    select(event: BeatEvent): string | undefined {
      for (const rule of rules) {
        const k = runRule(rule, event);
        if (k !== undefined) return k;
      }
      const r = fallback.tryRun(event);
      return typeof r === 'string' && r !== '' ? r : undefined;
    },
  };
}
