import path from 'node:path';
import type { EventFields } from '../event.js';

/** The global flags every beat accepts, as Beats spells them. */
export interface GlobalFlags {
  /** `-c`: config files, relative to `path.config`. */
  readonly configFiles: readonly string[];
  /** `-E key=value` overrides. */
  readonly overrides: readonly string[];
  /** `-e`: log to stderr instead of files. */
  readonly toStderr: boolean;
  /** `-d sel1,sel2`: debug selectors (`*` for all); implies debug level. */
  readonly debugSelectors: readonly string[];
  /** `-v`: log at info level to stderr (deprecated in Beats, kept for scripts). */
  readonly verbose: boolean;
  readonly pathHome?: string;
  readonly pathConfig?: string;
  readonly pathData?: string;
  readonly pathLogs?: string;
  /** `--strict.perms` (default true). */
  readonly strictPerms: boolean;
}

export interface RawGlobalOptions {
  c?: string[];
  E?: string[];
  e?: boolean;
  d?: string[];
  v?: boolean;
  'path.home'?: string;
  'path.config'?: string;
  'path.data'?: string;
  'path.logs'?: string;
  'strict.perms'?: boolean;
}

export function toGlobalFlags(raw: RawGlobalOptions, beatName: string): GlobalFlags {
  return {
    configFiles: raw.c !== undefined && raw.c.length > 0 ? raw.c : [`${beatName}.yml`],
    overrides: raw.E ?? [],
    toStderr: raw.e === true,
    debugSelectors: (raw.d ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== ''),
    verbose: raw.v === true,
    ...(raw['path.home'] !== undefined ? { pathHome: raw['path.home'] } : {}),
    ...(raw['path.config'] !== undefined ? { pathConfig: raw['path.config'] } : {}),
    ...(raw['path.data'] !== undefined ? { pathData: raw['path.data'] } : {}),
    ...(raw['path.logs'] !== undefined ? { pathLogs: raw['path.logs'] } : {}),
    strictPerms: raw['strict.perms'] !== false,
  };
}

/** Config files resolve against `--path.config`, else `--path.home`, else the working directory. */
export function resolveConfigFiles(flags: GlobalFlags): string[] {
  const base = path.resolve(flags.pathConfig ?? flags.pathHome ?? process.cwd());
  return flags.configFiles.map((f) => path.resolve(base, f));
}

/** The `--path.*` flags as settings, so they take precedence over files and `-E`. */
export function pathSettings(flags: GlobalFlags): EventFields {
  const out: EventFields = {};
  if (flags.pathHome !== undefined) out['path.home'] = path.resolve(flags.pathHome);
  if (flags.pathConfig !== undefined) out['path.config'] = path.resolve(flags.pathConfig);
  if (flags.pathData !== undefined) out['path.data'] = path.resolve(flags.pathData);
  if (flags.pathLogs !== undefined) out['path.logs'] = path.resolve(flags.pathLogs);
  return out;
}

export function parseBoolFlag(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new Error(`expected true or false, got "${value}"`);
}
