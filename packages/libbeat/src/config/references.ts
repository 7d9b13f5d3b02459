import { parse as parseYaml } from 'yaml';
import { BeatError, ErrorCodes } from '../errors.js';
import { getField, isPlainObject } from '../common/fields.js';
import type { EventFields } from '../event.js';

/**
 * Resolves `${name}` and `${name:default}` in string values, as go-ucfg does:
 * `name` is first looked up as a config key of the merged tree (so
 * `${path.home}/data` works), then as an environment variable. A string that
 * is one reference and nothing else takes the type of the value it resolves to
 * (`port: ${PORT:5066}` is a number). A reference that resolves to nothing and
 * has no default is an error naming the key.
 */
export function resolveReferences(tree: EventFields, env: NodeJS.ProcessEnv, originOf: (key: string) => string): EventFields {
  const resolving = new Set<string>();

  const lookup = (name: string, key: string): unknown => {
    if (resolving.has(name)) {
      throw new BeatError(ErrorCodes.CONFIG_INVALID, `cyclic reference \${${name}}`, { key, file: originOf(key) });
    }
    const fromConfig = getField(tree, name);
    if (fromConfig !== undefined && fromConfig !== null && !isPlainObject(fromConfig)) {
      if (typeof fromConfig !== 'string') return fromConfig;
      resolving.add(name);
      try {
        return expand(fromConfig, name);
      } finally {
        resolving.delete(name);
      }
    }
    return env[name];
  };

  const expand = (text: string, key: string): unknown => {
    if (!text.includes('${')) return text;
    let out = '';
    let pos = 0;
    let single: unknown;
    let pieces = 0;
    while (pos < text.length) {
      const start = text.indexOf('${', pos);
      if (start < 0) {
        out += text.slice(pos);
        pieces++;
        break;
      }
      if (start > pos) {
        out += text.slice(pos, start);
        pieces++;
      }
      const end = findClose(text, start + 2);
      if (end < 0) {
        throw new BeatError(ErrorCodes.CONFIG_INVALID, `unterminated reference in "${text}"`, { key, file: originOf(key) });
      }
      const body = text.slice(start + 2, end);
      const colon = body.indexOf(':');
      const name = (colon < 0 ? body : body.slice(0, colon)).trim();
      let value = lookup(name, key);
      if (value === undefined || value === '') {
        if (colon < 0) {
          throw new BeatError(ErrorCodes.CONFIG_INVALID, `missing value for \${${name}}: no config key or environment variable of that name, and no default`, {
            key,
            file: originOf(key),
          });
        }
        const fallback = body.slice(colon + 1);
        value = fallback.startsWith('?') ? failRequired(name, fallback.slice(1), key) : expand(fallback, key);
      }
      single = value;
      out += typeof value === 'string' ? value : JSON.stringify(value);
      pieces++;
      pos = end + 1;
    }
    // A lone reference keeps the type of what it names (numbers, booleans, lists).
    if (pieces === 1 && text.startsWith('${') && text.endsWith('}')) {
      return typeof single === 'string' ? typedScalar(single) : single;
    }
    return out;
  };

  const failRequired = (name: string, message: string, key: string): never => {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, message === '' ? `\${${name}} is required` : message, { key, file: originOf(key) });
  };

  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') return expand(value, key);
    if (Array.isArray(value)) return value.map((v: unknown, i) => walk(v, `${key}.${i}`));
    if (isPlainObject(value)) {
      const out: EventFields = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, key === '' ? k : `${key}.${k}`);
      return out;
    }
    return value;
  };

  return walk(tree, '') as EventFields;
}

function findClose(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Reads an environment value the way a YAML scalar would be read (YAML 1.1, as Beats). */
export function typedScalar(text: string): unknown {
  try {
    const value: unknown = parseYaml(text, { version: '1.1' });
    return value === null ? text : value;
  } catch {
    return text;
  }
}
