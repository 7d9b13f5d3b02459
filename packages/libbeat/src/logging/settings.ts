import type { LogLevel } from './logger.js';

/** `logging.files.*`: where and how log files are written and rotated. */
export interface LoggingFilesSettings {
  /** Directory of the log files (`logging.files.path`, default `${path.logs}`, resolved by the caller). */
  path: string;
  /** Base name of the log file (`logging.files.name`, default the beat name). */
  name: string;
  /** Rotated files to keep (`logging.files.keepfiles`, default 7). */
  keepfiles: number;
  /** File mode of the log files (`logging.files.permissions`, default 0600). */
  permissions: number;
  /** Rotate when the current file would grow past this size (`logging.files.rotateeverybytes`, default 10 MiB). */
  rotateeverybytes: number;
  /** Rotate an existing file when the beat starts (`logging.files.rotateonstartup`, default true). */
  rotateonstartup: boolean;
}

/** `logging.metrics.*`: the periodic "Non-zero metrics" log line. */
export interface LoggingMetricsSettings {
  enabled: boolean;
  /** Milliseconds between two metrics lines (default 30000). */
  period: number;
}

/** The `logging.*` settings, with defaults applied. */
export interface LoggingSettings {
  level: LogLevel;
  /** Debug selectors; `*` (or an empty list) enables every logger's debug lines. */
  selectors: string[];
  /** `-e` / `logging.to_stderr`: log to stderr, and then not to files. */
  toStderr: boolean;
  /** `logging.to_files`: log to rotated files under `files.path`. */
  toFiles: boolean;
  files: LoggingFilesSettings;
  /** `logging.json`: one ECS JSON object per line instead of tab-separated text. */
  json: boolean;
  metrics: LoggingMetricsSettings;
}

export const DEFAULT_KEEPFILES = 7;
export const DEFAULT_LOG_FILE_PERMISSIONS = 0o600;
export const DEFAULT_ROTATE_EVERY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_METRICS_PERIOD_MS = 30_000;

/** The Beats defaults for a beat called `beatName` whose `path.logs` is `logsPath`. */
export function defaultLoggingSettings(beatName: string, logsPath: string): LoggingSettings {
  return {
    level: 'info',
    selectors: [],
    toStderr: false,
    toFiles: true,
    files: {
      path: logsPath,
      name: beatName,
      keepfiles: DEFAULT_KEEPFILES,
      permissions: DEFAULT_LOG_FILE_PERMISSIONS,
      rotateeverybytes: DEFAULT_ROTATE_EVERY_BYTES,
      rotateonstartup: true,
    },
    json: true,
    metrics: { enabled: true, period: DEFAULT_METRICS_PERIOD_MS },
  };
}

/** The settings in force before the config file is read: info and above, as text, to stderr. */
export function bootstrapLoggingSettings(): LoggingSettings {
  const s = defaultLoggingSettings('beat', '.');
  s.toStderr = true;
  s.toFiles = false;
  s.json = false;
  return s;
}

/** Command line flags that override `logging.*`. */
export interface LoggingFlags {
  /** `-e`: log to stderr instead of files. */
  stderr?: boolean;
  /** `-d sel1,sel2`: enable these debug selectors; implies level debug. */
  debugSelectors?: readonly string[];
}

/** Applies `-e` and `-d` as Beats does; returns a new settings object. */
export function applyLoggingFlags(settings: LoggingSettings, flags: LoggingFlags): LoggingSettings {
  const out: LoggingSettings = {
    ...settings,
    selectors: [...settings.selectors],
    files: { ...settings.files },
    metrics: { ...settings.metrics },
  };
  if (flags.stderr === true) {
    out.toStderr = true;
    out.toFiles = false;
  }
  if (flags.debugSelectors !== undefined && flags.debugSelectors.length > 0) {
    out.level = 'debug';
    out.selectors = flags.debugSelectors.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  }
  return out;
}

/** The names Beats accepts for `logging.level`; `warn` is taken as `warning`. */
export function parseLogLevel(value: string): LogLevel | undefined {
  switch (value.trim().toLowerCase()) {
    case 'debug':
      return 'debug';
    case 'info':
      return 'info';
    case 'warn':
    case 'warning':
      return 'warning';
    case 'error':
      return 'error';
    case 'critical':
      return 'critical';
    default:
      return undefined;
  }
}
