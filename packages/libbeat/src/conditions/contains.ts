import { StringMatcherCondition } from './string-matcher.js';

/** `contains`: the field (or any string of an array field) contains the substring. */
export class ContainsCondition extends StringMatcherCondition {
  constructor(config: unknown, path = 'contains') {
    super('contains', config, path, (needle) => (value) => value.includes(needle));
  }
}
