import { BeatError, ErrorCodes, errorMessage } from '../errors.js';
import { loadConfig, type BeatConfig } from '../config/load.js';
import path from 'node:path';
import { parseByteSize } from '../config/byte-size.js';
import { parseDuration } from '../config/duration.js';
import { LogManager } from '../logging/log-manager.js';
import { applyLoggingFlags, bootstrapLoggingSettings, type LoggingSettings } from '../logging/settings.js';
import type { Logger, LogLevel } from '../logging/logger.js';
import { MetricsRegistry } from '../monitoring/metrics.js';
import { defaultOutputRegistry, type OutputRegistry } from '../outputs/registry.js';
import type { OutputGroup } from '../outputs/output.js';
import { createProcessors } from '../processors/index.js';
import type { Processor } from '../processors/processor.js';
import { diskQueueDefaultPath, type DiskQueueSettings } from '../publisher/disk/disk-queue.js';
import { Pipeline } from '../publisher/pipeline.js';
import { fieldsProcessor, tagsProcessor } from '../publisher/client.js';
import { isPlainObject } from '../common/fields.js';
import { MonitoringHttpServer } from '../monitoring/http-server.js';
import { MetricsLogger } from '../monitoring/metrics-logger.js';
import { registerProcessMetrics } from '../monitoring/process-metrics.js';
import { beatFieldsProcessor } from './beat-fields.js';
import type { BeatDefinition, BeatFlags, Beater } from './beater.js';
import { pathSettings, resolveConfigFiles, type GlobalFlags } from './cli-options.js';
import { loadBeatInfo } from './identity.js';
import type { BeatInfo } from './info.js';
import { installSignalHandlers } from './signals.js';

/** Loads the beat's configuration from its files, `-E` flags and `--path.*` flags. */
export function loadBeatConfig(def: BeatDefinition, flags: GlobalFlags, requireOutput = true, outputs: OutputRegistry = defaultOutputRegistry()): BeatConfig {
  return loadConfig({
    beatName: def.name,
    files: resolveConfigFiles(flags),
    overrides: flags.overrides,
    flagSettings: pathSettings(flags),
    ...(def.schema !== undefined ? { beatSchema: def.schema } : {}),
    ...(def.defaults !== undefined ? { defaults: def.defaults } : {}),
    outputs,
    strictPerms: flags.strictPerms,
    requireOutput,
  });
}

/** Logging as the config file and `-e`/`-d`/`-v` say. */
export function loggingSettings(config: BeatConfig, flags: GlobalFlags): LoggingSettings {
  const settings: LoggingSettings = {
    level: config.get<LogLevel>('logging.level'),
    selectors: config.get<string[]>('logging.selectors'),
    toStderr: config.get<boolean>('logging.to_stderr'),
    toFiles: config.get<boolean>('logging.to_files'),
    json: config.get<boolean>('logging.json'),
    files: {
      path: config.get<string>('logging.files.path'),
      name: config.get<string>('logging.files.name'),
      keepfiles: config.get<number>('logging.files.keepfiles'),
      permissions: config.get<number>('logging.files.permissions'),
      rotateeverybytes: config.get<number>('logging.files.rotateeverybytes'),
      rotateonstartup: config.get<boolean>('logging.files.rotateonstartup'),
    },
    metrics: {
      enabled: config.get<boolean>('logging.metrics.enabled'),
      period: parseDuration(config.get('logging.metrics.period')) ?? 30_000,
    },
  };
  const withFlags = applyLoggingFlags(settings, { stderr: flags.toStderr || flags.verbose, debugSelectors: flags.debugSelectors });
  if (flags.verbose && withFlags.level !== 'debug') withFlags.level = 'info';
  return withFlags;
}

/** A stderr logger for commands that run before (or without) a config. */
export function createBootstrapLogger(name: string, flags: GlobalFlags): Logger {
  const settings = applyLoggingFlags(bootstrapLoggingSettings(), { stderr: true, debugSelectors: flags.debugSelectors });
  return new LogManager(settings, { serviceName: name }).logger(name);
}

/** Everything that can be built without I/O: the validation `test config` and `run` share. */
interface ValidatedBeat {
  readonly config: BeatConfig;
  readonly info: BeatInfo;
  readonly beater: Beater;
  readonly processors: Processor[];
}

async function validateBeat(def: BeatDefinition, config: BeatConfig, logger: Logger, beatFlags: BeatFlags, persistId: boolean): Promise<ValidatedBeat> {
  const info = loadBeatInfo({ beat: def.name, version: def.version, name: config.get<string>('name'), dataPath: config.get<string>('path.data'), persist: persistId });
  // Global fields and tags apply before the global processors, as in Beats.
  const fields = config.get<unknown>('fields');
  const tags = config.get<string[]>('tags');
  const processors: Processor[] = [
    ...(isPlainObject(fields) && Object.keys(fields).length > 0 ? [fieldsProcessor(fields, config.get<boolean>('fields_under_root'))] : []),
    ...(tags.length > 0 ? [tagsProcessor(tags)] : []),
    ...createProcessors(config.get('processors'), { beat: info, logger: logger.named('processors') }),
  ];
  const beater = await def.create({ config, info, logger, flags: beatFlags });
  return { config, info, beater, processors };
}

/** `test config`: loads and validates everything, opens nothing. Returns the warnings. */
export async function testConfig(def: BeatDefinition, flags: GlobalFlags, beatFlags: BeatFlags = {}): Promise<string[]> {
  const config = loadBeatConfig(def, flags);
  const manager = new LogManager(applyLoggingFlags(bootstrapLoggingSettings(), { stderr: true }), { serviceName: def.name });
  try {
    await validateBeat(def, config, manager.logger(def.name), beatFlags, false);
  } finally {
    manager.close();
  }
  return config.warnings.map((w) => `${w.origin}: ${w.message}`);
}

/** `test output`: builds the output and asks it about its server. */
export async function testOutput(def: BeatDefinition, flags: GlobalFlags): Promise<string> {
  const outputs = defaultOutputRegistry();
  const config = loadBeatConfig(def, flags, true, outputs);
  const selected = config.output;
  if (selected === undefined) throw new BeatError(ErrorCodes.OUTPUT_COUNT, 'no output is enabled');
  const factory = outputs.get(selected.type);
  if (factory === undefined) throw new BeatError(ErrorCodes.OUTPUT_UNKNOWN, `unknown output type ${selected.type}`);
  const manager = new LogManager(applyLoggingFlags(bootstrapLoggingSettings(), { stderr: true }), { serviceName: def.name });
  const info = loadBeatInfo({ beat: def.name, version: def.version, name: config.get<string>('name'), dataPath: config.get<string>('path.data'), persist: false });
  const ctx = { beat: info, logger: manager.logger(`output.${selected.type}`), metrics: new MetricsRegistry() };
  try {
    if (factory.healthcheck !== undefined) return `${selected.type}: ${await factory.healthcheck(selected.settings, ctx)}`;
    const group = await factory.create(selected.settings, ctx);
    await Promise.all(group.clients.map((c) => c.close()));
    return `${selected.type}: ${group.clients.map((c) => c.toString()).join(', ')}... OK`;
  } finally {
    manager.close();
  }
}

/**
 * Runs a beat: load config → validate everything (no I/O) → create the output
 * → start the pipeline and monitoring → run the beater (the beat opens its
 * sources last) → on stop, drain the queue up to the shutdown timeout → close
 * the output → final metrics → close logs. Returns the exit code.
 */
export async function runBeat(def: BeatDefinition, flags: GlobalFlags, beatFlags: BeatFlags, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const logs = new LogManager(applyLoggingFlags(bootstrapLoggingSettings(), { stderr: true, debugSelectors: flags.debugSelectors }), { serviceName: def.name });
  const log = logs.logger(def.name);
  const fatal = (err: unknown): number => {
    stderr.write(`Exiting: ${errorMessage(err)}\n`);
    if (!logs.settings.toStderr) log.error(`Exiting: ${errorMessage(err)}`);
    logs.close();
    return 1;
  };

  const outputs = defaultOutputRegistry();
  let validated: ValidatedBeat;
  try {
    const config = loadBeatConfig(def, flags, true, outputs);
    logs.configure(loggingSettings(config, flags));
    for (const w of config.warnings) log.warn(`${w.origin}: ${w.message}`);
    validated = await validateBeat(def, config, log, beatFlags, true);
  } catch (err) {
    return fatal(err);
  }
  const { config, info, beater, processors } = validated;
  log.info(`${def.name} ${def.version} starting`, { 'agent.id': info.id, 'agent.ephemeral_id': info.ephemeralId, config_files: config.files });

  const metrics = new MetricsRegistry();
  registerProcessMetrics(metrics, info);
  const selected = config.output;
  if (selected === undefined) return fatal(new BeatError(ErrorCodes.OUTPUT_COUNT, 'no output is enabled'));
  const factory = outputs.get(selected.type);
  if (factory === undefined) return fatal(new BeatError(ErrorCodes.OUTPUT_UNKNOWN, `unknown output type ${selected.type}`));
  metrics.func('libbeat.output.type', () => selected.type);

  let group: OutputGroup;
  try {
    group = await factory.create(selected.settings, { beat: info, logger: logs.logger(`output.${selected.type}`), metrics: metrics.scope('libbeat.output') });
  } catch (err) {
    return fatal(err);
  }

  const addBeatFields = beatFieldsProcessor(info);
  const diskQueue = config.isSet('queue.disk') ? diskQueueSettings(config) : undefined;
  let pipeline: Pipeline;
  try {
    pipeline = new Pipeline({
      queue: {
        events: config.get<number>('queue.mem.events'),
        flushMinEvents: config.get<number>('queue.mem.flush.min_events'),
        flushTimeoutMs: parseDuration(config.get('queue.mem.flush.timeout')) ?? 10_000,
      },
      ...(diskQueue !== undefined ? { diskQueue } : {}),
      output: group,
      processors,
      beatFields: (event) => void addBeatFields.run(event),
      metrics,
      logger: logs.logger('publisher'),
    });
  } catch (err) {
    await Promise.allSettled(group.clients.map((c) => c.close()));
    return fatal(err);
  }

  const monitoringSettings = {
    enabled: config.get<boolean>('http.enabled'),
    host: config.get<string>('http.host'),
    port: config.get<number>('http.port'),
  };
  const monitoring = monitoringSettings.enabled
    ? new MonitoringHttpServer({
        host: monitoringSettings.host,
        port: monitoringSettings.port,
        info,
        registry: metrics,
        stateProvider: () => ({ beat: { name: info.name, version: info.version, uuid: info.id }, output: { name: selected.type }, queue: { name: diskQueue !== undefined ? 'disk' : 'mem' }, host: { hostname: info.hostname } }),
      })
    : undefined;
  const metricsLog = config.get<boolean>('logging.metrics.enabled')
    ? new MetricsLogger({ registry: metrics, logger: logs.logger('monitoring'), periodMs: parseDuration(config.get('logging.metrics.period')) ?? 30_000 })
    : undefined;

  const abort = new AbortController();
  const removeSignals = installSignalHandlers({
    onFirst: (signal) => {
      log.info(`received ${signal}, stopping`);
      abort.abort();
    },
    onSecond: (signal) => {
      log.warn(`received ${signal} again, exiting now without draining`);
      logs.close();
      process.exit(1);
    },
  });

  let exitCode = 0;
  try {
    if (monitoring !== undefined) {
      const addr = await monitoring.start();
      log.info(`monitoring endpoint listening on http://${addr.host}:${addr.port}`);
    }
    metricsLog?.start();
    await beater.run({ signal: abort.signal, config, info, logger: log, metrics, pipeline, flags: beatFlags });
  } catch (err) {
    exitCode = 1;
    stderr.write(`Exiting: ${errorMessage(err)}\n`);
    if (!logs.settings.toStderr) log.error(errorMessage(err));
  } finally {
    // A beat that stopped by itself (end of a capture file, its own limit)
    // waits until the output has everything; one stopped by a signal waits
    // up to shutdown_timeout. Either way, what is not delivered is counted.
    const finishedByItself = !abort.signal.aborted;
    const timeoutMs = finishedByItself ? Number.POSITIVE_INFINITY : (def.shutdownTimeoutMs?.(config, beatFlags) ?? 0);
    const result = await pipeline.close(timeoutMs, finishedByItself ? abort.signal : undefined);
    log.info(`${def.name} stopped`, { acked: result.acked, dropped: result.dropped });
    metricsLog?.stop();
    if (monitoring !== undefined) await monitoring.stop();
    removeSignals();
    logs.close();
  }
  return exitCode;
}

/** `queue.disk.*` with Beats' defaults: `${path.data}/diskqueue`, segments a tenth of `max_size`. */
function diskQueueSettings(config: BeatConfig): DiskQueueSettings {
  const maxSizeBytes = parseByteSize(config.get('queue.disk.max_size')) ?? 10e9;
  const segment = parseByteSize(config.get('queue.disk.segment_size')) ?? 0;
  const configured = config.get<string>('queue.disk.path');
  return {
    path: configured !== '' ? path.resolve(config.get<string>('path.home'), configured) : diskQueueDefaultPath(config.get<string>('path.data')),
    maxSizeBytes,
    segmentSizeBytes: segment > 0 ? segment : Math.floor(maxSizeBytes / 10),
  };
}
