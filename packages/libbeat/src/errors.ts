/** Stable error codes, one catalogue for the whole runtime. */
export const ErrorCodes = {
  CONFIG_INVALID: 'BEAT_ERR_CONFIG_INVALID',
  CONFIG_FILE: 'BEAT_ERR_CONFIG_FILE',
  CONFIG_YAML: 'BEAT_ERR_CONFIG_YAML',
  OUTPUT_UNKNOWN: 'BEAT_ERR_OUTPUT_UNKNOWN',
  OUTPUT_COUNT: 'BEAT_ERR_OUTPUT_COUNT',
  OUTPUT_FAILED: 'BEAT_ERR_OUTPUT_FAILED',
  PROCESSOR_UNKNOWN: 'BEAT_ERR_PROCESSOR_UNKNOWN',
  PROCESSOR_INVALID: 'BEAT_ERR_PROCESSOR_INVALID',
  CONDITION_INVALID: 'BEAT_ERR_CONDITION_INVALID',
  PIPELINE_CLOSED: 'BEAT_ERR_PIPELINE_CLOSED',
  PLUGIN_NOT_FOUND: 'BEAT_ERR_PLUGIN_NOT_FOUND',
  NO_PACKET_SOURCE: 'BEAT_ERR_NO_PACKET_SOURCE',
  FILE_PERMISSIONS: 'BEAT_ERR_FILE_PERMISSIONS',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error with a stable code, and for config errors the file and key at fault. */
export class BeatError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly key: string | undefined;

  constructor(code: ErrorCode, message: string, options: { file?: string; key?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BeatError';
    this.code = code;
    this.file = options.file;
    this.key = options.key;
  }
}

export function isBeatError(err: unknown): err is BeatError {
  return err instanceof BeatError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
