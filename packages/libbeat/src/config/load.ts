import convict from 'convict';
import path from 'node:path';
import { BeatError, ErrorCodes, errorMessage } from '../errors.js';
import { deepClone, getField, isPlainObject } from '../common/fields.js';
import type { EventFields } from '../event.js';
import { expandDottedKeys, mergeTrees } from './dotted-keys.js';
import { registerBeatFormats } from './formats.js';
import { libbeatSchema } from './libbeat-schema.js';
import { parseOverride } from './overrides.js';
import { resolveReferences } from './references.js';
import { checkConfigFilePermissions } from './strict-perms.js';
import { readYamlFile } from './yaml-file.js';

/** The part of the output registry the config layer needs. */
export interface OutputCatalog {
  types(): string[];
  get(type: string): { readonly schema: Record<string, unknown> } | undefined;
}

export interface ConfigLoadOptions {
  readonly beatName: string;
  /** Config files, merged in order (`-c` may be given more than once). */
  readonly files: readonly string[];
  /** `-E key=value` flags, applied after the files in order. */
  readonly overrides?: readonly string[];
  /** The beat's defaults for any setting, applied below the files. */
  readonly defaults?: EventFields;
  /** Settings from flags such as `--path.home` (origin: the command line). */
  readonly flagSettings?: EventFields;
  /** The beat's own schema (e.g. `packetbeat.*`), merged with libbeat's. */
  readonly beatSchema?: Record<string, unknown>;
  readonly outputs: OutputCatalog;
  readonly env?: NodeJS.ProcessEnv;
  /** `--strict.perms` (default true). */
  readonly strictPerms?: boolean;
  /** Whether an output must be configured (false for commands that publish nothing). */
  readonly requireOutput?: boolean;
}

export interface ConfigWarning {
  readonly key: string;
  readonly origin: string;
  readonly message: string;
}

/** The selected output: its type and its validated settings. */
export interface SelectedOutput {
  readonly type: string;
  readonly settings: EventFields;
}

/**
 * The loaded configuration. `get` returns validated values with defaults;
 * `user` is what the files and flags said after expansion (for `export config`).
 */
export class BeatConfig {
  constructor(
    private readonly values: EventFields,
    readonly user: EventFields,
    readonly files: readonly string[],
    readonly warnings: readonly ConfigWarning[],
    readonly output: SelectedOutput | undefined,
    private readonly origins: ReadonlyMap<string, string>,
  ) {}

  get<T = unknown>(key: string): T {
    return getField(this.values, key) as T;
  }

  /** Whether the user set `key` (or something under it). */
  isSet(key: string): boolean {
    return getField(this.user, key) !== undefined;
  }

  /** Where a key's value came from: a file path, `-E`, `command line` or `default`. */
  originOf(key: string): string {
    return originLookup(this.origins, key);
  }

  /** All validated values, nested. */
  all(): EventFields {
    return deepClone(this.values);
  }
}

function originLookup(origins: ReadonlyMap<string, string>, key: string): string {
  let probe = key;
  for (;;) {
    const found = origins.get(probe);
    if (found !== undefined) return found;
    // A key under a value that was set (e.g. an item of a list) comes from it.
    for (const [k, v] of origins) if (k.startsWith(`${probe}.`)) return v;
    const dot = probe.lastIndexOf('.');
    if (dot < 0) return 'default';
    probe = probe.slice(0, dot);
  }
}

function recordOrigins(tree: unknown, origin: string, origins: Map<string, string>, prefix = ''): void {
  if (isPlainObject(tree) && (prefix === '' || Object.keys(tree).length > 0)) {
    for (const [k, v] of Object.entries(tree)) recordOrigins(v, origin, origins, prefix === '' ? k : `${prefix}.${k}`);
  } else if (prefix !== '') {
    origins.set(prefix, origin);
  }
}

/** YAML `key:` with no value means "not set" (go-ucfg), except under `output.` where it enables a type. */
function dropNulls(tree: EventFields, keepEmpty: (key: string) => boolean, prefix = ''): void {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (v === null || v === undefined) {
      if (keepEmpty(key)) tree[k] = {};
      else delete tree[k];
    } else if (isPlainObject(v)) {
      dropNulls(v, keepEmpty, key);
    }
  }
}

/** Loads, merges, expands and validates the configuration; throws `BeatError` naming file and key. */
export function loadConfig(options: ConfigLoadOptions): BeatConfig {
  registerBeatFormats();
  const env = options.env ?? process.env;
  const origins = new Map<string, string>();
  const merged: EventFields = options.defaults === undefined ? {} : (expandDottedKeys(deepClone(options.defaults)) as EventFields);

  for (const file of options.files) {
    if (options.strictPerms !== false) checkConfigFilePermissions(file);
    const tree = expandDottedKeys(readYamlFile(file)) as EventFields;
    recordOrigins(tree, file, origins);
    mergeTrees(merged, tree);
  }
  for (const flag of options.overrides ?? []) {
    const tree = parseOverride(flag);
    recordOrigins(tree, '-E', origins);
    mergeTrees(merged, tree);
  }
  if (options.flagSettings !== undefined) {
    const tree = expandDottedKeys(options.flagSettings) as EventFields;
    recordOrigins(tree, 'command line', origins);
    mergeTrees(merged, tree);
  }

  const originOf = (key: string): string => originLookup(origins, key);
  dropNulls(merged, (key) => /^output\.[^.]+$/.test(key) || /^queue\.(mem|disk)$/.test(key));
  seedPathDefaults(merged);
  const user = resolveReferences(merged, env, originOf);

  const output = selectOutput(user, options.outputs, originOf, options.requireOutput !== false);
  checkOneQueue(user, originOf);

  const schema: Record<string, unknown> = { ...libbeatSchema(options.beatName) };
  if (options.beatSchema !== undefined) mergeTrees(schema, deepClone(options.beatSchema));
  const outputSchemas: Record<string, unknown> = {};
  const rawOutputs = isPlainObject(user['output']) ? user['output'] : {};
  for (const type of Object.keys(rawOutputs)) {
    const factory = options.outputs.get(type);
    if (factory === undefined) continue;
    outputSchemas[type] = {
      enabled: { doc: `Enable the ${type} output`, format: 'bool', default: true },
      ...deepClone(factory.schema),
    };
  }
  schema['output'] = outputSchemas;

  const warnings: ConfigWarning[] = [];
  let values: EventFields;
  try {
    const conf = convict(schema as convict.Schema<EventFields>, { args: [], env: {} });
    // convict's load() walks into nested values of our `map` settings as if
    // they were schema sections (and crashes): set those values whole instead.
    const toLoad = deepClone(user);
    const maps = takeMapValues(schema, toLoad);
    conf.load(toLoad);
    for (const [key, value] of maps) conf.set(key, value);
    conf.validate({
      allowed: 'warn',
      output: (message: string) => {
        for (const line of message.split('\n')) {
          const m = /configuration param '([^']+)' not declared in the schema/.exec(line);
          if (m?.[1] !== undefined) {
            warnings.push({ key: m[1], origin: originOf(m[1]), message: `unknown setting ${m[1]} (ignored)` });
          }
        }
      },
    });
    values = conf.getProperties();
  } catch (err) {
    throw schemaError(errorMessage(err), originOf);
  }

  resolvePaths(values);
  const selected = output === undefined ? undefined : { type: output, settings: getField(values, `output.${output}`) as EventFields };
  return new BeatConfig(values, user, options.files, warnings, selected, origins);
}

/** Removes from `tree` the values of settings whose format is `map`, returning them by dotted key. */
function takeMapValues(schema: Record<string, unknown>, tree: EventFields, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [key, node] of Object.entries(schema)) {
    if (!isPlainObject(node) || !(key in tree)) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (node['format'] === 'map') {
      if (isPlainObject(tree[key])) {
        out.push([path, tree[key]]);
        delete tree[key];
      }
    } else if (!('format' in node) && !('default' in node) && isPlainObject(tree[key])) {
      out.push(...takeMapValues(node, tree[key], path));
    }
  }
  return out;
}

/** Turns convict's "key: reason: value was x" lines into one error naming the file and key. */
function schemaError(message: string, originOf: (key: string) => string): BeatError {
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  const described = lines.map((line) => {
    const missing = /configuration param '([^']+)' missing from config/.exec(line);
    if (missing?.[1] !== undefined) {
      const parent = missing[1].split('.').slice(0, -1).join('.');
      return { key: missing[1], text: `${originOf(parent)}: ${parent}: must be a map of settings (it holds ${missing[1]})` };
    }
    const colon = line.indexOf(': ');
    const key = colon > 0 ? line.slice(0, colon) : '';
    return { key, text: `${originOf(key)}: ${line}` };
  });
  const first = described[0];
  return new BeatError(ErrorCodes.CONFIG_INVALID, described.map((d) => d.text).join('\n'), {
    ...(first?.key ? { key: first.key, file: originOf(first.key) } : {}),
  });
}

/** Beats allows one queue type: `queue.mem` (the default) or `queue.disk`. */
function checkOneQueue(user: EventFields, originOf: (key: string) => string): void {
  const queue = user['queue'];
  if (!isPlainObject(queue)) return;
  const types = Object.keys(queue).filter((t) => queue[t] !== undefined);
  if (types.length > 1) {
    const where = [...new Set(types.map((t) => originOf(`queue.${t}`)))].join(', ');
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `${where}: queue: only one queue type can be configured, found ${types.map((t) => `queue.${t}`).join(' and ')}`, { key: 'queue', file: where });
  }
}

/** Beats enables an output by its presence (unless `enabled: false`) and allows exactly one. */
function selectOutput(
  user: EventFields,
  catalog: OutputCatalog,
  originOf: (key: string) => string,
  required: boolean,
): string | undefined {
  const raw = user['output'];
  if (raw !== undefined && !isPlainObject(raw)) {
    throw new BeatError(ErrorCodes.CONFIG_INVALID, `${originOf('output')}: output: must be a map of output types`, { key: 'output', file: originOf('output') });
  }
  const enabled: string[] = [];
  for (const [type, settings] of Object.entries(raw ?? {})) {
    const key = `output.${type}`;
    if (catalog.get(type) === undefined) {
      throw new BeatError(
        ErrorCodes.OUTPUT_UNKNOWN,
        `${originOf(key)}: ${key}: unknown output type "${type}" (known: ${catalog.types().sort().join(', ')})`,
        { key, file: originOf(key) },
      );
    }
    if (!isPlainObject(settings)) {
      throw new BeatError(ErrorCodes.CONFIG_INVALID, `${originOf(key)}: ${key}: must be a map of settings`, { key, file: originOf(key) });
    }
    if (settings['enabled'] !== false) enabled.push(type);
  }
  if (enabled.length > 1) {
    const where = [...new Set(enabled.map((t) => originOf(`output.${t}`)))].join(', ');
    throw new BeatError(
      ErrorCodes.OUTPUT_COUNT,
      `${where}: only one output can be enabled, found ${enabled.length}: ${enabled.map((t) => `output.${t}`).join(', ')} (set enabled: false on the others)`,
      { key: 'output', file: where },
    );
  }
  if (enabled.length === 0 && required) {
    throw new BeatError(ErrorCodes.OUTPUT_COUNT, 'no output is enabled: define one under output (e.g. output.console or output.file)', { key: 'output' });
  }
  return enabled[0];
}

/** Gives `path.*` their values before references resolve, so `${path.home}` and `${path.data}` always work. */
function seedPathDefaults(tree: EventFields): void {
  const paths = (isPlainObject(tree['path']) ? tree['path'] : (tree['path'] = {}));
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const home = path.resolve(text(paths['home']) ?? process.cwd());
  paths['home'] = home;
  for (const [key, rel] of [['config', '.'], ['data', 'data'], ['logs', 'logs']] as const) {
    const value = text(paths[key]);
    // A reference such as ${path.home}/x is resolved later, as written.
    paths[key] = value === undefined ? path.resolve(home, rel) : value.includes('${') ? value : path.resolve(home, value);
  }
}

/** Fills Beats' path defaults: config, data and logs live under home. */
function resolvePaths(values: EventFields): void {
  const paths = values['path'] as Record<string, string>;
  const home = path.resolve(paths['home'] || process.cwd());
  paths['home'] = home;
  paths['config'] = path.resolve(home, paths['config'] || '.');
  paths['data'] = path.resolve(home, paths['data'] || 'data');
  paths['logs'] = path.resolve(home, paths['logs'] || 'logs');
  const logging = values['logging'] as { files: { path: string } };
  logging.files.path = logging.files.path ? path.resolve(home, logging.files.path) : paths['logs'];
}
