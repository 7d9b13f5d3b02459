import { errorMessage } from '../errors.js';
import { formatJson, formatText, type LogRecord } from './format.js';
import { LOG_LEVEL_RANK, type LogFields, type Logger, type LogLevel } from './logger.js';
import { SelectorSet } from './selectors.js';
import { bootstrapLoggingSettings, type LoggingSettings } from './settings.js';
import { FileSink, StderrSink, type LogSink } from './sinks.js';

export interface LogManagerOptions {
  /** `service.name` on JSON lines: the beat name. Omitted when not given. */
  serviceName?: string;
  /** Replaces the synchronous write to fd 2 (tests, embedding). */
  stderrWrite?: (line: string) => void;
  /** The clock, for tests. */
  now?: () => Date;
}

/** A logger handed out by a LogManager. Adds `critical` to the Logger contract. */
export class BeatLogger implements Logger {
  private debugGeneration = -1;
  private debugEnabled = false;

  /** Use `LogManager.logger(name)`. */
  constructor(
    private readonly manager: LogManager,
    readonly name: string,
  ) {}

  isDebugEnabled(): boolean {
    const gen = this.manager.generation;
    if (gen !== this.debugGeneration) {
      this.debugEnabled = this.manager.isDebugEnabledFor(this.name);
      this.debugGeneration = gen;
    }
    return this.debugEnabled;
  }

  debug(message: string, fields?: LogFields): void {
    if (this.isDebugEnabled()) this.manager.log('debug', this.name, message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.manager.log('info', this.name, message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.manager.log('warning', this.name, message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.manager.log('error', this.name, message, fields);
  }

  critical(message: string, fields?: LogFields): void {
    this.manager.log('critical', this.name, message, fields);
  }

  named(name: string): BeatLogger {
    return this.manager.logger(this.name === '' ? name : `${this.name}.${name}`);
  }
}

interface ActiveSink {
  readonly sink: LogSink;
  /** Whether this sink's write failure was already reported on stderr. */
  reported: boolean;
}

/**
 * Owns the log outputs and hands out named loggers. Starts with the bootstrap
 * settings (info and above, text, to stderr) so that anything logged while the
 * config is read is seen; `configure()` then applies `logging.*`. Every write is
 * synchronous (nothing is lost at exit) and a log call never throws: a failed
 * write is counted in `writeErrors` and reported once per output on stderr.
 */
export class LogManager {
  private gen = 0;
  private current: LoggingSettings;
  private minRank: number;
  private selectors: SelectorSet;
  private sinks: ActiveSink[] = [];
  private fileSink: FileSink | undefined;
  private json: boolean;
  private readonly loggers = new Map<string, BeatLogger>();
  private readonly stderrWrite: ((line: string) => void) | undefined;
  private readonly now: () => Date;
  private readonly serviceName: string | undefined;
  private errors = 0;
  private closed = false;

  constructor(settings: LoggingSettings = bootstrapLoggingSettings(), options: LogManagerOptions = {}) {
    this.stderrWrite = options.stderrWrite;
    this.now = options.now ?? (() => new Date());
    this.serviceName = options.serviceName;
    this.current = settings;
    this.minRank = LOG_LEVEL_RANK[settings.level];
    this.selectors = new SelectorSet(settings.selectors);
    this.json = settings.json;
    this.openSinks(settings);
  }

  /** Bumped by `configure()`; loggers re-evaluate their debug flag when it changes. */
  get generation(): number {
    return this.gen;
  }

  /** The settings in force. */
  get settings(): LoggingSettings {
    return this.current;
  }

  /** Log lines that could not be written (to any output) since the start. */
  get writeErrors(): number {
    return this.errors;
  }

  /** The log file being written, once the first line went to it. */
  get currentFile(): string | undefined {
    return this.fileSink?.currentPath;
  }

  /** Applies `logging.*` once the config is loaded; closes the outputs of the previous settings. */
  configure(settings: LoggingSettings): void {
    if (this.closed) return;
    this.closeSinks();
    this.current = settings;
    this.minRank = LOG_LEVEL_RANK[settings.level];
    this.selectors = new SelectorSet(settings.selectors);
    this.json = settings.json;
    this.openSinks(settings);
    this.gen++;
  }

  /** The logger named `name` (its debug selector); one instance per name. */
  logger(name: string): BeatLogger {
    let l = this.loggers.get(name);
    if (l === undefined) {
      l = new BeatLogger(this, name);
      this.loggers.set(name, l);
    }
    return l;
  }

  isEnabled(level: LogLevel): boolean {
    return LOG_LEVEL_RANK[level] >= this.minRank;
  }

  /** Whether debug lines of logger `name` are written: level debug and a selector matching. */
  isDebugEnabledFor(name: string): boolean {
    return this.minRank <= LOG_LEVEL_RANK.debug && this.selectors.matches(name);
  }

  /** Writes one line at `level` (no selector check: loggers do that for debug). Never throws. */
  log(level: LogLevel, loggerName: string, message: string, fields?: LogFields): void {
    if (LOG_LEVEL_RANK[level] < this.minRank || this.sinks.length === 0) return;
    let line: string;
    try {
      const rec: LogRecord = { time: this.now(), level, logger: loggerName, message: String(message), fields };
      line = this.json ? formatJson(rec, this.serviceName) : formatText(rec);
    } catch {
      this.errors++;
      return;
    }
    for (const s of this.sinks) {
      try {
        s.sink.write(line);
      } catch (err) {
        this.errors++;
        this.reportFailure(s, err);
      }
    }
  }

  /** Closes the outputs; later log calls are dropped. */
  close(): void {
    if (this.closed) return;
    this.closeSinks();
    this.closed = true;
  }

  private openSinks(settings: LoggingSettings): void {
    if (settings.toStderr) {
      this.sinks.push({ sink: new StderrSink(this.stderrWrite), reported: false });
    } else if (settings.toFiles) {
      this.fileSink = new FileSink(settings.files);
      this.sinks.push({ sink: this.fileSink, reported: false });
    }
  }

  private closeSinks(): void {
    const old = this.sinks;
    this.sinks = [];
    this.fileSink = undefined;
    for (const s of old) {
      try {
        s.sink.close();
      } catch {
        this.errors++;
      }
    }
  }

  /** The first failure of a file output is told on stderr, so a broken log path is not silent. */
  private reportFailure(s: ActiveSink, err: unknown): void {
    if (s.reported || s.sink instanceof StderrSink) return;
    s.reported = true;
    try {
      new StderrSink(this.stderrWrite).write(
        `${this.now().toISOString()}\tERROR\t[logging]\tcannot write log to ${s.sink.description}: ${errorMessage(err)} (further failures are counted, not shown)\n`,
      );
    } catch {
      // Nowhere left to tell.
    }
  }
}
