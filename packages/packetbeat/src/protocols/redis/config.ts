import type { ConfigSchema } from '@packetbeat-ts/protocol-sdk';

/** Packetbeat's defaults: queue up to 1 MiB or 20 000 requests per connection. */
export const DEFAULT_QUEUE_MAX_BYTES = 1024 * 1024;
export const DEFAULT_QUEUE_MAX_MESSAGES = 20_000;
/** Packetbeat's largest message kept per stream (tcp.TCPMaxDataInStream): 10 MiB. */
export const MAX_MESSAGE_SIZE = 10 * 1024 * 1024;

/** The Redis plugin's own options, as Packetbeat's `packetbeat.protocols: - type: redis` accepts them. */
export interface RedisOptions {
  /** Most bytes of requests waiting for their responses, per connection (0: no limit). */
  readonly queue_max_bytes: number;
  /** Most requests waiting for their responses, per connection (0: no limit). */
  readonly queue_max_messages: number;
}

/** Convict-style schema of the options above (the common ones come from the framework). */
export const redisConfigSchema: ConfigSchema = {
  queue_max_bytes: {
    doc: 'Most bytes of requests queued per connection while waiting for responses (0: no limit)',
    format: 'non-negative-int',
    default: DEFAULT_QUEUE_MAX_BYTES,
  },
  queue_max_messages: {
    doc: 'Most requests queued per connection while waiting for responses (0: no limit)',
    format: 'non-negative-int',
    default: DEFAULT_QUEUE_MAX_MESSAGES,
  },
};

/** The options digested for the connection state. */
export interface ResolvedRedisConfig {
  readonly queueMaxBytes: number;
  readonly queueMaxMessages: number;
  readonly maxMessageSize: number;
  readonly sendRequest: boolean;
  readonly sendResponse: boolean;
  /** Microseconds. */
  readonly transactionTimeoutUs: number;
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** Normalises a (possibly partial) config: missing keys take Packetbeat's defaults. */
export function resolveRedisConfig(
  raw: Partial<RedisOptions> & { send_request?: boolean; send_response?: boolean; transaction_timeout?: number },
): ResolvedRedisConfig {
  const timeoutMs = typeof raw.transaction_timeout === 'number' && raw.transaction_timeout > 0 ? raw.transaction_timeout : 10_000;
  return {
    queueMaxBytes: count(raw.queue_max_bytes, DEFAULT_QUEUE_MAX_BYTES),
    queueMaxMessages: count(raw.queue_max_messages, DEFAULT_QUEUE_MAX_MESSAGES),
    maxMessageSize: MAX_MESSAGE_SIZE,
    sendRequest: raw.send_request === true,
    sendResponse: raw.send_response === true,
    transactionTimeoutUs: timeoutMs * 1000,
  };
}
