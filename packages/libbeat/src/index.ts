// The public API of libbeat: what a beat (or a plugin) builds on.
export type { BeatEvent, EventFields } from './event.js';
export { createEvent, EncodedEvent } from './event.js';
export { BeatError, ErrorCodes, isBeatError, errorMessage, type ErrorCode } from './errors.js';
export { getField, putField, deleteField, hasField, mergeFields, deepClone, flattenFields, isPlainObject } from './common/fields.js';

export { loadConfig, BeatConfig, type ConfigLoadOptions, type ConfigWarning, type OutputCatalog, type SelectedOutput } from './config/load.js';
export { parseDuration, formatDuration } from './config/duration.js';
export { parseByteSize } from './config/byte-size.js';
export { libbeatSchema } from './config/libbeat-schema.js';
export { registerBeatFormats } from './config/formats.js';

export type { Logger, LogLevel, LogFields } from './logging/logger.js';
export { LogManager } from './logging/log-manager.js';

export { MetricsRegistry, Counter, Gauge } from './monitoring/metrics.js';
export { MonitoringHttpServer, type HttpEndpointSettings } from './monitoring/http-server.js';
export { MetricsLogger } from './monitoring/metrics-logger.js';
export { registerProcessMetrics } from './monitoring/process-metrics.js';

export type { Processor, ProcessorFactory, ProcessorContext, Condition } from './processors/processor.js';
export { createProcessors, runProcessors, ProcessorRegistry } from './processors/index.js';
export { createCondition } from './conditions/index.js';

export type { Batch, OutputClient, OutputGroup, OutputFactory, OutputContext, BackoffSettings } from './outputs/output.js';
export { OutputRegistry, defaultOutputRegistry } from './outputs/registry.js';

export type { PublishMode, ClientOptions, PublishResult, PipelineClient, QueueSettings } from './publisher/types.js';
export { Pipeline, type PipelineSettings, type PipelineCloseResult } from './publisher/pipeline.js';
export { DiskQueue, type DiskQueueSettings } from './publisher/disk/disk-queue.js';

export type { BeatInfo } from './beat/info.js';
export type { Beater, BeaterContext, BeaterSetup, BeatDefinition, BeatFlags, BeatFlagSpec, BeatCommandSpec, PipelineConnector, FieldDefinition, FieldType } from './beat/beater.js';
export { ECS_VERSION, beatFieldsProcessor } from './beat/beat-fields.js';
export { runCli, type CliIO } from './beat/cli.js';
export { runBeat, testConfig, loadBeatConfig } from './beat/runner.js';
export { communityId, type Flow as CommunityIdFlow } from './processors/community-id.js';
export { parseIP, type IPBytes } from './conditions/ip.js';
export { compileNetwork } from './conditions/network.js';
