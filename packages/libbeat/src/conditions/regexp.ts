import { conditionError } from './condition-error.js';
import { StringMatcherCondition } from './string-matcher.js';

/**
 * `regexp`: the field (or any string of an array field) matches the pattern.
 * Unanchored, as Go's MatchString; patterns are JavaScript RegExp syntax,
 * which covers the RE2 syntax Beats users write in practice.
 */
export class RegexpCondition extends StringMatcherCondition {
  constructor(config: unknown, path = 'regexp') {
    super('regexp', config, path, (pattern, at) => {
      let re: RegExp;
      try {
        re = new RegExp(pattern);
      } catch (err) {
        throw conditionError(at, `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`);
      }
      return (value) => re.test(value);
    });
  }
}
