export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';

export const LOG_LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3, critical: 4 };

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/**
 * A named logger. The name is the debug selector (`-d publisher`); debug lines
 * are written only when the level is debug and the selector is enabled.
 */
export interface Logger {
  readonly name: string;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  isDebugEnabled(): boolean;
  /** A logger for a sub-component, with its own selector. */
  named(name: string): Logger;
}
