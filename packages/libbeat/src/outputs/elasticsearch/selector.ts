import { compileFormatString, type CompiledFormatString } from '../../common/format-string.js';
import { createCondition } from '../../conditions/index.js';
import { errorMessage } from '../../errors.js';
import type { BeatEvent } from '../../event.js';
import type { Condition } from '../../processors/processor.js';
import { invalid, type ElasticsearchRuleConfig } from './config.js';

/**
 * Beats' `outil.Selector` for `index`/`indices` and `pipeline`/`pipelines`:
 * rules are tried in order; a rule applies when its `when` condition matches
 * and its format string can be expanded (a missing field skips the rule, as
 * in Beats); the first non-empty result wins, else the single key's format.
 * Results are lower-cased for index names.
 */
export interface Selector {
  /** The name for `event`, `''` when nothing applies (for an index: an error). */
  select(event: BeatEvent): string;
}

interface CompiledRule {
  readonly format: CompiledFormatString;
  readonly when: Condition | undefined;
  readonly mappings: ReadonlyMap<string, string> | undefined;
  readonly fallback: string;
}

function compileFormat(key: string, source: string): CompiledFormatString {
  try {
    return compileFormatString(source);
  } catch (err) {
    throw invalid(key, errorMessage(err));
  }
}

function compileRule(key: string, field: 'index' | 'pipeline', rule: ElasticsearchRuleConfig, i: number): CompiledRule {
  const at = `${key}.${i}`;
  const format = compileFormat(`${at}.${field}`, rule[field] ?? '');
  let when: Condition | undefined;
  if (rule.when !== undefined && rule.when !== null) {
    try {
      when = createCondition(rule.when);
    } catch (err) {
      throw invalid(`${at}.when`, errorMessage(err));
    }
  }
  const mappings = rule.mappings === undefined ? undefined : new Map(Object.entries(rule.mappings).map(([k, v]) => [k, String(v)]));
  return { format, when, mappings, fallback: rule.default ?? '' };
}

export function buildSelector(
  key: 'index' | 'pipeline',
  single: string,
  rules: readonly ElasticsearchRuleConfig[],
  options: { lowerCase: boolean },
): Selector {
  const compiled = rules.map((r, i) => compileRule(`${key === 'index' ? 'indices' : 'pipelines'}`, key, r, i));
  const main = single === '' ? undefined : compileFormat(key, single);
  const lower = options.lowerCase;
  const finish = (s: string): string => (lower ? s.toLowerCase() : s);

  if (compiled.length === 0 && main?.isConst === true) {
    const constant = finish(main.run({ timestamp: new Date(0), fields: {} }));
    return { select: () => constant };
  }

  return {
    select(event: BeatEvent): string {
      for (const rule of compiled) {
        if (rule.when !== undefined && !rule.when.check(event)) continue;
        const r = rule.format.tryRun(event);
        if (typeof r !== 'string' || r === '') continue;
        if (rule.mappings !== undefined) {
          const mapped = rule.mappings.get(r) ?? rule.fallback;
          if (mapped === '') continue;
          return finish(mapped);
        }
        return finish(r);
      }
      if (main === undefined) return '';
      const r = main.tryRun(event);
      return typeof r === 'string' ? finish(r) : '';
    },
  };
}

/** `@metadata.index` (or `raw_index`) wins over the configuration, lower-cased, as Beats 8 does. */
export function eventIndexOverride(event: BeatEvent): string | undefined {
  const meta = event.meta;
  if (meta === undefined) return undefined;
  const idx = meta['index'];
  if (typeof idx === 'string' && idx !== '') return idx.toLowerCase();
  const raw = meta['raw_index'];
  if (typeof raw === 'string' && raw !== '') return raw.toLowerCase();
  return undefined;
}
