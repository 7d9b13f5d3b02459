import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { BeatError, ErrorCodes, errorMessage } from '../errors.js';

/**
 * Reads one YAML config file in YAML 1.1 mode, so Beats' booleans (`on`,
 * `yes`) and octal modes (`0600`) mean what they mean to Beats. Syntax errors
 * name the file, line and column.
 */
export function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : errorMessage(err);
    throw new BeatError(ErrorCodes.CONFIG_FILE, `error loading config file: ${file}: ${reason}`, { file, cause: err });
  }
  return parseYamlText(text, file);
}

export function parseYamlText(text: string, file: string): unknown {
  const doc = parseDocument(text, { version: '1.1', prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    const where = pos === undefined ? '' : `:${pos.line}:${pos.col}`;
    const reason = first.message.split('\n')[0] ?? first.message;
    throw new BeatError(ErrorCodes.CONFIG_YAML, `${file}${where}: invalid YAML: ${reason}`, { file });
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BeatError(ErrorCodes.CONFIG_YAML, `${file}: the top level of a config file must be a map of settings`, { file });
  }
  return value;
}
