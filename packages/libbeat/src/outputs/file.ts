import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileRotator, MAX_ROTATED_FILES } from '../common/file-rotator.js';
import { compileFormatString } from '../common/format-string.js';
import { BeatError, ErrorCodes, errorMessage } from '../errors.js';
import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import type { Counter } from '../monitoring/metrics.js';
import { codecSchema, createEncoder, encodeLinesInto, LineBuffer, type CodecConfig, type Encoder } from './codec.js';
import type { Batch, OutputClient, OutputContext, OutputFactory, OutputGroup } from './output.js';

/**
 * `output.file`: events as NDJSON in rotating files (see FileRotator for the
 * Beats 8.x naming `<filename>-<YYYYMMDD>[-N].ndjson`).
 *
 * - `path`: the directory. Beats documents it as mandatory; the lead's config
 *   layer passes it already resolved (e.g. `${path.home}/data`). When it is
 *   empty or absent, `data` relative to the working directory is used. As in
 *   Beats 8, it may contain `%{+FORMAT}` (e.g. `out-%{+yyyy.MM.dd}`), expanded
 *   once, when the output is created, with the current time in UTC.
 * - `filename` defaults to the beat name.
 * - Each batch is one write (all lines, each `\n`-terminated); a batch larger
 *   than `rotate_every_kb` is written event by event so files stay within
 *   the limit. Events the codec cannot encode are dropped (as Beats does).
 * - A write error (ENOSPC, EACCES, ENOTDIR, …) is logged, counted in
 *   `write.errors`, and the batch is retried (up to `FILE_MAX_RETRIES`, then
 *   the pipeline drops it). Written bytes are counted in `write.bytes`.
 */

export interface FileOutputConfig {
  readonly path?: string;
  readonly filename?: string;
  /** Default 10240. */
  readonly rotate_every_kb?: number;
  /** Default 7, 2..1024. */
  readonly number_of_files?: number;
  /** Octal mode as a number (0o600) or a string ("0600"). Default 0600. */
  readonly permissions?: number | string;
  /** Default true. */
  readonly rotate_on_startup?: boolean;
  readonly codec?: CodecConfig;
}

export const FILE_BATCH_SIZE = 2048;
/** Retries of a batch whose write failed, before the pipeline drops it (Beats' default `max_retries`). */
export const FILE_MAX_RETRIES = 3;
export const FILE_DEFAULT_PATH = 'data';

/** Parses `permissions`: an integer mode, or an octal string such as "0600" / "600" / "0o600". */
export function parseFileMode(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 0o777 ? v : undefined;
  if (typeof v === 'string') {
    const m = /^\s*(?:0o|0)?([0-7]{1,3})\s*$/i.exec(v);
    return m === null ? undefined : parseInt(m[1] as string, 8);
  }
  return undefined;
}

function intRange(name: string, min: number, max: number): (v: unknown) => void {
  return (v: unknown): void => {
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
      throw new Error(`${name} must be an integer between ${min} and ${max}`);
    }
  };
}

export const fileSchema: Record<string, unknown> = {
  path: {
    doc: 'Directory of the output files (may contain %{+FORMAT}); empty: "data" under the working directory',
    format: String,
    default: '',
  },
  filename: { doc: 'Base name of the output files; empty: the beat name', format: String, default: '' },
  rotate_every_kb: {
    doc: 'Maximum size of each file in kilobytes before rotating',
    format: intRange('rotate_every_kb', 1, Number.MAX_SAFE_INTEGER),
    default: 10240,
  },
  number_of_files: {
    doc: 'Maximum number of files kept under path (2-1024)',
    format: intRange('number_of_files', 2, MAX_ROTATED_FILES),
    default: 7,
  },
  permissions: {
    doc: 'Permissions of created files, e.g. 0600',
    format: (v: unknown): void => {
      if (parseFileMode(v) === undefined) throw new Error('permissions must be a file mode such as 0600');
    },
    // A string default: convict coerces string values by the default's type,
    // and a number default would turn "0644" into 644 (decimal).
    default: '0600',
  },
  rotate_on_startup: { doc: 'Start a new file when the beat starts', format: 'bool', default: true },
  codec: codecSchema,
};

/** Normalized file output settings. */
export interface ResolvedFileConfig {
  readonly dir: string;
  readonly filename: string;
  readonly maxSizeBytes: number;
  readonly maxFiles: number;
  readonly permissions: number;
  readonly rotateOnStartup: boolean;
}

function invalid(key: string, message: string): BeatError {
  return new BeatError(ErrorCodes.CONFIG_INVALID, `output.file.${key}: ${message}`, { key: `output.file.${key}` });
}

/** Applies defaults and validates; throws a `BeatError` naming the bad key. */
export function resolveFileConfig(config: FileOutputConfig, beatName: string, now: Date = new Date()): ResolvedFileConfig {
  let dir = config.path ?? '';
  if (dir === '') dir = FILE_DEFAULT_PATH;
  if (dir.includes('%{')) {
    let fmt;
    try {
      fmt = compileFormatString(dir);
    } catch (err) {
      throw invalid('path', errorMessage(err));
    }
    const r = fmt.tryRun({ timestamp: now, fields: {} });
    if (typeof r !== 'string') throw invalid('path', 'only %{+FORMAT} timestamp expansions are supported');
    dir = r;
  }
  const filename = config.filename !== undefined && config.filename !== '' ? config.filename : beatName;
  if (filename.includes('/') || filename.includes(path.sep)) throw invalid('filename', 'must be a file name, not a path');

  const kb = config.rotate_every_kb ?? 10240;
  if (!Number.isInteger(kb) || kb < 1) throw invalid('rotate_every_kb', 'must be an integer >= 1');
  const files = config.number_of_files ?? 7;
  if (!Number.isInteger(files) || files < 2 || files > MAX_ROTATED_FILES) {
    throw invalid('number_of_files', `the number of files to keep should be between 2 and ${MAX_ROTATED_FILES}`);
  }
  const permissions = parseFileMode(config.permissions ?? 0o600);
  if (permissions === undefined) throw invalid('permissions', `invalid file mode ${String(config.permissions)}`);

  return {
    dir: path.resolve(dir),
    filename,
    maxSizeBytes: kb * 1024,
    maxFiles: files,
    permissions,
    rotateOnStartup: config.rotate_on_startup ?? true,
  };
}

export class FileClient implements OutputClient {
  readonly rotator: FileRotator;
  private readonly encoder: Encoder;
  private readonly logger: Logger;
  private readonly writeBytes: Counter;
  private readonly writeErrors: Counter;
  private readonly label: string;
  /** Reused for every batch: the encoded lines of the batch being written. */
  private readonly buffer = new LineBuffer();

  constructor(settings: ResolvedFileConfig, encoder: Encoder, ctx: OutputContext) {
    this.rotator = new FileRotator({
      dir: settings.dir,
      filename: settings.filename,
      maxSizeBytes: settings.maxSizeBytes,
      maxFiles: settings.maxFiles,
      permissions: settings.permissions,
      rotateOnStartup: settings.rotateOnStartup,
    });
    this.encoder = encoder;
    this.logger = ctx.logger;
    this.writeBytes = ctx.metrics.counter('write.bytes');
    this.writeErrors = ctx.metrics.counter('write.errors');
    this.label = `file(${path.join(settings.dir, settings.filename)})`;
  }

  publish(batch: Batch): Promise<void> {
    const events = batch.events;
    const { failed, firstError } = encodeLinesInto(this.encoder, events, this.buffer);
    if (failed.length > 0) {
      this.logger.warn('file output: failed to encode events, dropping them', { count: failed.length, error: errorMessage(firstError) });
    }
    if (this.buffer.length > 0) {
      const buf = this.buffer.view();
      try {
        if (buf.length <= this.rotator.maxSizeBytes) {
          this.rotator.write(buf);
          this.writeBytes.inc(buf.length);
        } else {
          this.writeEventByEvent(events);
        }
      } catch (err) {
        this.writeErrors.inc();
        this.logger.error('file output: writing events failed, will retry', {
          error: errorMessage(err),
          code: (err as NodeJS.ErrnoException).code,
          file: this.rotator.currentPath,
          events: events.length,
        });
        this.buffer.reset();
        batch.retry();
        return Promise.resolve();
      }
    }
    this.buffer.reset();
    if (failed.length === 0) batch.ack();
    else batch.retryEvents([], failed);
    return Promise.resolve();
  }

  /** A batch bigger than a whole file: one write per event, so rotation stays within the limit. */
  private writeEventByEvent(events: readonly BeatEvent[]): void {
    for (const event of events) {
      let line: string;
      try {
        line = this.encoder.encode(event);
      } catch {
        continue; // already counted as failed
      }
      const buf = Buffer.from(`${line}\n`, 'utf8');
      this.rotator.write(buf);
      this.writeBytes.inc(buf.length);
    }
  }

  close(): Promise<void> {
    try {
      this.rotator.close();
    } catch (err) {
      this.logger.warn('file output: closing the file failed', { error: errorMessage(err) });
    }
    return Promise.resolve();
  }

  toString(): string {
    return this.label;
  }
}

export function createFileOutput(config: FileOutputConfig, ctx: OutputContext): OutputGroup {
  const settings = resolveFileConfig(config, ctx.beat.beat);
  const encoder = createEncoder(ctx.beat, config.codec);
  const client = new FileClient(settings, encoder, ctx);
  ctx.logger.info('Initialized file output', {
    path: path.join(settings.dir, settings.filename),
    max_size_bytes: settings.maxSizeBytes,
    number_of_files: settings.maxFiles,
    permissions: `0${settings.permissions.toString(8)}`,
  });
  return {
    clients: [client],
    batchSize: FILE_BATCH_SIZE,
    maxRetries: FILE_MAX_RETRIES,
    backoff: { initMs: 1000, maxMs: 60_000 },
  };
}

export const fileOutputFactory: OutputFactory<FileOutputConfig> = {
  type: 'file',
  schema: fileSchema,
  create: createFileOutput,
  /** For `test output`: the directory can be created and written to. */
  healthcheck(config, ctx): Promise<string> {
    const settings = resolveFileConfig(config, ctx.beat.beat);
    try {
      fs.mkdirSync(settings.dir, { recursive: true, mode: 0o750 });
      fs.accessSync(settings.dir, fs.constants.W_OK);
    } catch (err) {
      return Promise.reject(new BeatError(ErrorCodes.OUTPUT_FAILED, `file output: ${settings.dir} is not writable: ${errorMessage(err)}`, { cause: err }));
    }
    return Promise.resolve(`directory ${settings.dir} is writable`);
  },
};
