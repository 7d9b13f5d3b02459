import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import {
  BeatError,
  ErrorCodes,
  createProcessors,
  errorMessage,
  isPlainObject,
  type ConfigWarning,
  type ErrorCode,
  type Processor,
  type ProcessorContext,
} from '@packetbeat-ts/libbeat';
import { SDK_VERSION, isProtocolPlugin, type ProtocolPlugin, type Transport } from '@packetbeat-ts/protocol-sdk';
import { validateProtocolItem, type ProtocolItemConfig } from './common-config.js';
import { ProtocolRegistry } from './registry.js';

/** The npm package a protocol `type` names when no `package` is given and it is not built in. */
export const PROTOCOL_PACKAGE_PREFIX = 'packetbeat-protocol-';

/** Where a protocol came from: `package:` in its config, the built-in registry, or the naming convention. */
export type ProtocolSource = 'package' | 'builtin' | 'convention';

/** A resolved, validated protocol, ready for the analyzer to `create()`. */
export interface LoadedProtocol {
  readonly plugin: ProtocolPlugin;
  /** Validated settings: the common ones (`transaction_timeout` in ms) plus the plugin's own. */
  readonly config: ProtocolItemConfig;
  /** Its position in `packetbeat.protocols`. */
  readonly index: number;
  /** Built from its `processors` list. */
  readonly processors: readonly Processor[];
  readonly ports: readonly number[];
  readonly transports: readonly Transport[];
  readonly source: ProtocolSource;
  /** The module specifier and file it was imported from (`package` and `convention` sources). */
  readonly module?: { readonly specifier: string; readonly file: string };
}

export interface ProtocolLoadOptions {
  /** For building each protocol's `processors`. */
  readonly processorContext: ProcessorContext;
  /** Built-in protocols (default: none). */
  readonly registry?: ProtocolRegistry;
  /** `path.home`: packages are resolved from here (default: the working directory). */
  readonly home?: string;
  /**
   * Further directories to resolve packages from, after `home` (default:
   * Packetbeat's own location, so plugins installed next to a global
   * Packetbeat are found). Pass `[]` to resolve from `home` only.
   */
  readonly extraResolveDirs?: readonly string[];
  /** The list's config path, for messages (default `packetbeat.protocols`). */
  readonly configPath?: string;
  /** Where a key's value came from (`BeatConfig.originOf`), to prefix messages with the file. */
  readonly originOf?: (key: string) => string;
}

export interface ProtocolLoadResult {
  /** Enabled protocols, in config order. */
  readonly protocols: LoadedProtocol[];
  /** Unknown settings (ignored), one per key. */
  readonly warnings: ConfigWarning[];
}

/**
 * Resolves and validates `packetbeat.protocols` (Packetbeat's list form,
 * dotted keys already expanded). Per item: the plugin is found by its
 * `package`, else among the built-ins, else as the package
 * `packetbeat-protocol-<type>`; it must be made by `defineProtocol()`, be
 * named `type` and accept this SDK version. Its settings are validated
 * (common options plus the plugin's schema) and its processors built.
 * Disabled items are skipped unresolved. Fails with a `BeatError` on an
 * unknown type, a bad plugin, a bad value, a type configured twice, or two
 * protocols on the same port and transport. Does no I/O beyond resolving
 * and importing plugin modules.
 */
export async function loadProtocols(items: unknown, options: ProtocolLoadOptions): Promise<ProtocolLoadResult> {
  const listPath = options.configPath ?? 'packetbeat.protocols';
  const err = errorFactory(options.originOf);
  if (items === undefined || items === null) return { protocols: [], warnings: [] };
  if (!Array.isArray(items)) {
    throw err(ErrorCodes.CONFIG_INVALID, listPath, 'must be a list of protocols (- type: http ...)');
  }

  const registry = options.registry ?? new ProtocolRegistry();
  const home = path.resolve(options.home ?? process.cwd());
  const dirs = [home, ...(options.extraResolveDirs ?? [path.dirname(fileURLToPath(import.meta.url))])];
  const protocols: LoadedProtocol[] = [];
  const warnings: ConfigWarning[] = [];
  const seen = new Map<string, string>();

  for (const [index, item] of (items as unknown[]).entries()) {
    const where = `${listPath}.${index}`;
    if (!isPlainObject(item)) throw err(ErrorCodes.CONFIG_INVALID, where, 'must be a map with a type (- type: http)');
    const type = item['type'];
    if (typeof type !== 'string' || type.trim() === '') {
      throw err(ErrorCodes.CONFIG_INVALID, `${where}.type`, `missing or not a string: each protocol needs a type (e.g. type: http)`);
    }
    if (isDisabled(item['enabled'])) continue;

    const earlier = seen.get(type);
    if (earlier !== undefined) {
      throw err(ErrorCodes.CONFIG_INVALID, where, `protocol "${type}" is configured twice (also at ${earlier}); configure each protocol once`);
    }
    seen.set(type, where);

    const resolved = await resolveProtocol(type, item['package'], where, registry, home, dirs, err);
    const { plugin } = resolved;
    const { config, unknownKeys } = validateProtocolItem(item, plugin.defaultPorts, plugin.configSchema, where, options.originOf);
    for (const key of unknownKeys) {
      const full = `${where}.${key}`;
      warnings.push({ key: full, origin: options.originOf?.(full) ?? '', message: `unknown setting ${full} for protocol ${type} (ignored)` });
    }
    const processors = createProcessors(config.processors, options.processorContext, undefined, `${where}.processors`);
    protocols.push({
      plugin,
      config,
      index,
      processors,
      ports: config.ports,
      transports: [...plugin.transports],
      source: resolved.source,
      ...(resolved.module === undefined ? {} : { module: resolved.module }),
    });
  }

  checkPortCollisions(protocols, listPath, err);
  return { protocols, warnings };
}

type ErrorFactory = (code: ErrorCode, key: string, message: string, cause?: unknown) => BeatError;

function errorFactory(originOf: ((key: string) => string) | undefined): ErrorFactory {
  return (code, key, message, cause) => {
    const file = originOf?.(key);
    return new BeatError(code, `${file === undefined ? '' : `${file}: `}${key}: ${message}`, {
      key,
      ...(file === undefined ? {} : { file }),
      ...(cause === undefined ? {} : { cause }),
    });
  };
}

/** `enabled: false` (or a YAML/env spelling of it) skips an item without resolving it. */
function isDisabled(value: unknown): boolean {
  if (value === false) return true;
  return typeof value === 'string' && ['false', 'no', 'off', 'n'].includes(value.trim().toLowerCase());
}

interface Resolved {
  readonly plugin: ProtocolPlugin;
  readonly source: ProtocolSource;
  readonly module?: { readonly specifier: string; readonly file: string };
}

async function resolveProtocol(
  type: string,
  pkg: unknown,
  where: string,
  registry: ProtocolRegistry,
  home: string,
  dirs: readonly string[],
  err: ErrorFactory,
): Promise<Resolved> {
  const from = dirs.length === 1 ? home : `${dirs.join(', ')}`;
  if (pkg !== undefined && pkg !== null) {
    if (typeof pkg !== 'string' || pkg.trim() === '') {
      throw err(ErrorCodes.CONFIG_INVALID, `${where}.package`, 'must be a package name or a path to a module');
    }
    const file = resolveModule(pkg, dirs);
    if (file === undefined) {
      throw err(
        ErrorCodes.PLUGIN_NOT_FOUND,
        `${where}.package`,
        `protocol "${type}": package "${pkg}" not found (resolved from ${from}); install it (npm install ${pkg}) or fix the name`,
      );
    }
    const plugin = checkPlugin(await importModule(file, pkg, type, where, err), type, `package "${pkg}"`, where, err);
    return { plugin, source: 'package', module: { specifier: pkg, file } };
  }

  const builtin = registry.get(type);
  if (builtin !== undefined) return { plugin: checkPlugin({ default: builtin }, type, 'built-in protocol', where, err), source: 'builtin' };

  const conventional = `${PROTOCOL_PACKAGE_PREFIX}${type}`;
  const file = /^[a-z0-9][a-z0-9._-]*$/.test(type) ? resolveModule(conventional, dirs) : undefined;
  if (file === undefined) {
    const known = registry.names();
    throw err(
      ErrorCodes.PLUGIN_NOT_FOUND,
      `${where}.type`,
      `unknown protocol type "${type}": it is not built in (built-in: ${known.length === 0 ? 'none' : known.join(', ')}) ` +
        `and no package "${conventional}" was found (resolved from ${from}); install one, or name its package with package:`,
    );
  }
  const plugin = checkPlugin(await importModule(file, conventional, type, where, err), type, `package "${conventional}"`, where, err);
  return { plugin, source: 'convention', module: { specifier: conventional, file } };
}

async function importModule(file: string, spec: string, type: string, where: string, err: ErrorFactory): Promise<unknown> {
  try {
    return (await import(pathToFileURL(file).href)) as unknown;
  } catch (cause) {
    throw err(ErrorCodes.CONFIG_INVALID, where, `protocol "${type}": could not load "${spec}" (${file}): ${errorMessage(cause)}`, cause);
  }
}

/** The plugin a module exports: its default export, or a named export `protocol` (also inside a CommonJS default). */
function findExport(mod: unknown): unknown {
  if (!isObjectLike(mod)) return undefined;
  const candidates: unknown[] = [mod['default'], mod['protocol']];
  const def = mod['default'];
  if (isObjectLike(def)) candidates.push(def['default'], def['protocol']);
  return candidates.find((c) => isProtocolPlugin(c));
}

function isObjectLike(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

function isPort(p: unknown): boolean {
  return Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
}

function checkPlugin(mod: unknown, type: string, what: string, where: string, err: ErrorFactory): ProtocolPlugin {
  const plugin = findExport(mod);
  const bad = (message: string): BeatError => err(ErrorCodes.CONFIG_INVALID, where, `protocol "${type}": ${what} ${message}`);
  if (!isProtocolPlugin(plugin)) {
    throw bad('does not export a protocol made with defineProtocol() (expected as its default export or as "protocol")');
  }
  if (plugin.name !== type) throw bad(`provides protocol "${String(plugin.name)}", not "${type}"`);
  const range = plugin.sdkVersion;
  if (typeof range !== 'string' || semver.validRange(range) === null) {
    throw bad(`declares sdkVersion ${JSON.stringify(range)}, which is not a semver range (such as ^${SDK_VERSION})`);
  }
  if (!semver.satisfies(SDK_VERSION, range)) {
    throw bad(`needs protocol SDK ${range}, but this Packetbeat provides SDK ${SDK_VERSION}; use a version of the plugin built for SDK ${SDK_VERSION}`);
  }
  const transports: unknown = plugin.transports;
  if (!Array.isArray(transports) || transports.length === 0) throw bad('declares no transports (expected tcp, udp and/or icmp)');
  for (const t of transports) if (t !== 'tcp' && t !== 'udp' && t !== 'icmp') throw bad(`declares an unknown transport ${JSON.stringify(t)} (expected tcp, udp or icmp)`);
  const ports: unknown = plugin.defaultPorts;
  if (!Array.isArray(ports) || !ports.every(isPort)) throw bad('declares defaultPorts that are not a list of port numbers');
  if (typeof plugin.create !== 'function') throw bad('has no create() function');
  if (plugin.configSchema !== undefined && !isPlainObject(plugin.configSchema)) throw bad('has a configSchema that is not a map');
  return plugin;
}

function checkPortCollisions(protocols: readonly LoadedProtocol[], listPath: string, err: ErrorFactory): void {
  const owners = new Map<string, LoadedProtocol>();
  for (const p of protocols) {
    for (const transport of p.transports) {
      for (const port of p.ports) {
        const key = `${transport}/${port}`;
        const other = owners.get(key);
        if (other !== undefined) {
          throw err(
            ErrorCodes.CONFIG_INVALID,
            `${listPath}.${p.index}.ports`,
            `port ${port}/${transport} is used by both ${other.plugin.name} (${listPath}.${other.index}) and ${p.plugin.name} (${listPath}.${p.index}); ` +
              'give each protocol its own ports',
          );
        }
        owners.set(key, p);
      }
    }
  }
}

/**
 * Resolves a module specifier (a package name or a path) as Node would from
 * each directory in turn. Packages that export only an `import` condition
 * (ESM-only) are resolved from their package.json, which `require.resolve`
 * refuses.
 */
export function resolveModule(spec: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const require = createRequire(path.join(dir, 'noop.js'));
    try {
      return require.resolve(spec);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
        const file = resolveEsmOnly(spec, dir);
        if (file !== undefined) return file;
      } else if (code !== 'MODULE_NOT_FOUND') {
        throw error;
      }
    }
  }
  return undefined;
}

const IMPORT_CONDITIONS = ['import', 'node', 'default'];

function pickTarget(exp: unknown): string | undefined {
  if (typeof exp === 'string') return exp;
  if (Array.isArray(exp)) {
    for (const e of exp) {
      const t = pickTarget(e);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (isPlainObject(exp)) {
    for (const [cond, value] of Object.entries(exp)) {
      if (IMPORT_CONDITIONS.includes(cond)) {
        const t = pickTarget(value);
        if (t !== undefined) return t;
      }
    }
  }
  return undefined;
}

function resolveEsmOnly(spec: string, dir: string): string | undefined {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join('/')}` : '.';
  for (let d = dir; ; d = path.dirname(d)) {
    const pkgDir = path.join(d, 'node_modules', name);
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    } catch {
      manifest = undefined;
    }
    if (isPlainObject(manifest)) {
      const exp = manifest['exports'];
      const entry = isPlainObject(exp) && Object.keys(exp).some((k) => k.startsWith('.')) ? exp[subpath] : subpath === '.' ? exp : undefined;
      const target = pickTarget(entry);
      return target === undefined ? undefined : path.resolve(pkgDir, target);
    }
    if (path.dirname(d) === d) return undefined;
  }
}
