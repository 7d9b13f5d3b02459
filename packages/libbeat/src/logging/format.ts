import type { LogFields, LogLevel } from './logger.js';

/** The ECS version Beats stamps on its JSON log lines. */
export const LOG_ECS_VERSION = '1.6.0';

const TEXT_LEVEL: Record<LogLevel, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warning: 'WARN',
  error: 'ERROR',
  critical: 'CRITICAL',
};

const JSON_LEVEL: Record<LogLevel, string> = {
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'critical',
};

/** One log call, before formatting. */
export interface LogRecord {
  readonly time: Date;
  readonly level: LogLevel;
  readonly logger: string;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

/** Keys of a JSON line that fields may not overwrite. */
const RESERVED = new Set(['log.level', '@timestamp', 'log.logger', 'message']);

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return value.message;
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

/** JSON.stringify that never throws: cycles become "[Circular]", anything else unserialisable a marker string. */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, replacer) ?? 'null';
  } catch {
    try {
      const seen = new WeakSet<object>();
      return (
        JSON.stringify(value, (key, v: unknown) => {
          const r = replacer(key, v);
          if (typeof r === 'object' && r !== null) {
            if (seen.has(r)) return '[Circular]';
            seen.add(r);
          }
          return r;
        }) ?? 'null'
      );
    } catch {
      return '"[unserializable]"';
    }
  }
}

function hasFields(fields: LogFields | undefined): fields is LogFields {
  if (fields === undefined) return false;
  for (const _ in fields) return true;
  return false;
}

/** `2026-11-23T22:38:14.123Z\tINFO\t[publisher]\tmessage\t{"k":"v"}` plus a newline, like Beats' console encoder. */
export function formatText(rec: LogRecord): string {
  let line = `${rec.time.toISOString()}\t${TEXT_LEVEL[rec.level]}\t`;
  if (rec.logger !== '') line += `[${rec.logger}]\t`;
  line += rec.message;
  if (hasFields(rec.fields)) line += `\t${safeStringify(rec.fields)}`;
  return `${line}\n`;
}

/** One ECS JSON object plus a newline, like Beats' JSON encoder. */
export function formatJson(rec: LogRecord, serviceName: string | undefined): string {
  const doc: Record<string, unknown> = {
    'log.level': JSON_LEVEL[rec.level],
    '@timestamp': rec.time.toISOString(),
  };
  if (rec.logger !== '') doc['log.logger'] = rec.logger;
  doc['message'] = rec.message;
  if (serviceName !== undefined && serviceName !== '') doc['service.name'] = serviceName;
  if (rec.fields !== undefined) {
    for (const [k, v] of Object.entries(rec.fields)) {
      if (!RESERVED.has(k)) doc[k] = v;
    }
  }
  if (!('ecs.version' in doc)) doc['ecs.version'] = LOG_ECS_VERSION;
  return `${safeStringify(doc)}\n`;
}
