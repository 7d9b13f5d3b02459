import type { BeatConfig } from '../config/load.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../monitoring/metrics.js';
import type { ClientOptions, PipelineClient } from '../publisher/types.js';
import type { BeatInfo } from './info.js';

/** What a beat gets to publish with: the pipeline's client factory. */
export interface PipelineConnector {
  connect(options?: ClientOptions): PipelineClient;
}

/** Command-line values a beat declared for itself (e.g. Packetbeat's `-I`). */
export type BeatFlags = Readonly<Record<string, string | boolean | string[] | undefined>>;

export interface BeaterContext {
  /** Aborted on SIGINT/SIGTERM: `run` should return soon after. */
  readonly signal: AbortSignal;
  readonly config: BeatConfig;
  readonly info: BeatInfo;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly pipeline: PipelineConnector;
  readonly flags: BeatFlags;
}

/** A beat's main loop. Resolving means "done": the runtime then drains and exits. */
export interface Beater {
  run(ctx: BeaterContext): Promise<void>;
}

export interface BeaterSetup {
  readonly config: BeatConfig;
  readonly info: BeatInfo;
  readonly logger: Logger;
  readonly flags: BeatFlags;
}

/** A beat-specific command-line flag, available on `run` and the root command. */
export interface BeatFlagSpec {
  /** Commander syntax, e.g. `-I <file>` or `-t`. */
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean;
}

/** A beat-specific subcommand (e.g. Packetbeat's `devices`). */
export interface BeatCommandSpec {
  readonly name: string;
  readonly description: string;
  run(args: { readonly logger: Logger; readonly stdout: NodeJS.WritableStream }): Promise<number>;
}

/** Elasticsearch field types a beat's template can declare. */
export type FieldType = 'keyword' | 'long' | 'integer' | 'float' | 'double' | 'boolean' | 'date' | 'ip' | 'text' | 'object' | 'nested' | 'flattened';

/** One field of the beat's documents, for the index template (`setup.template.*`). */
export interface FieldDefinition {
  /** Dotted path, e.g. `client.ip`. */
  readonly name: string;
  readonly type: FieldType;
  /** For `keyword`: longer values are not indexed. Default 1024 (as Beats); 0 leaves it out. */
  readonly ignore_above?: number;
  /** For `object`: whether unknown sub-fields are mapped (`true`, the default for objects) or not. */
  readonly dynamic?: boolean;
  readonly description?: string;
}

/** Everything the runtime needs to know about a beat. */
export interface BeatDefinition {
  readonly name: string;
  readonly version: string;
  /** convict schema for the beat's own settings (`packetbeat.*`). */
  readonly schema?: Record<string, unknown>;
  /** The beat's own defaults for libbeat settings (e.g. `queue.mem.flush.min_events: 1`), below any file. */
  readonly defaults?: Record<string, unknown>;
  /**
   * Validates the beat's settings and builds the beater; opens nothing (used
   * by `test config`). May be async, e.g. to `import()` plugins.
   */
  create(setup: BeaterSetup): Beater | Promise<Beater>;
  /** `shutdown_timeout` in ms, read from the beat's own settings (e.g. `packetbeat.shutdown_timeout`). */
  shutdownTimeoutMs?(config: BeatConfig, flags: BeatFlags): number;
  readonly flags?: readonly BeatFlagSpec[];
  readonly commands?: readonly BeatCommandSpec[];
  /** The fields of the beat's documents: the index template's mappings (`setup`, `export template`). */
  readonly fields?: readonly FieldDefinition[];
}
