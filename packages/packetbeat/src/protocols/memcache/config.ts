import { parseDuration } from '@packetbeat-ts/libbeat';
import type { ConfigSchema } from '@packetbeat-ts/protocol-sdk';

/** The Memcache plugin's own options, as Packetbeat's `packetbeat.protocols: - type: memcache` accepts them. */
export interface MemcacheOptions {
  /** Publish unknown commands (as `memcache.request.line`) instead of dropping the stream. */
  readonly parseunknown: boolean;
  /** Values published per message (`values`, base64): 0 none, negative all. */
  readonly maxvalues: number;
  /** Bytes published per value; 0 or negative for no limit. */
  readonly maxbytespervalue: number;
  /** How long a UDP transaction waits for its response (duration, e.g. `200ms`). */
  readonly udptransactiontimeout: string | number;
}

export const memcacheConfigSchema: ConfigSchema = {
  parseunknown: { doc: 'Publish unknown memcache commands instead of dropping the stream', format: 'bool', default: false },
  maxvalues: { doc: 'Number of values published per message (0: none, negative: all)', format: 'integer', default: 0 },
  maxbytespervalue: { doc: 'Largest published value in bytes (0: no limit)', format: 'integer', default: 0 },
  udptransactiontimeout: { doc: 'Time a UDP request waits for its response', format: 'duration', default: '10s' },
};

/** Packetbeat's TCPMaxDataInStream: the most bytes buffered per stream direction. */
export const MAX_STREAM_BYTES = 10 * 1024 * 1024;

export interface ResolvedMemcacheConfig {
  readonly parseUnknown: boolean;
  readonly maxValues: number;
  readonly maxBytesPerValue: number;
  readonly sendRequest: boolean;
  readonly sendResponse: boolean;
  /** Microseconds. */
  readonly tcpTimeoutUs: number;
  /** Microseconds. */
  readonly udpTimeoutUs: number;
  /** Bytes kept per TCP stream direction. */
  readonly maxStreamBytes: number;
}

export function resolveMemcacheConfig(
  raw: Partial<MemcacheOptions> & { send_request?: boolean; send_response?: boolean; transaction_timeout?: number },
): ResolvedMemcacheConfig {
  const tcpMs = typeof raw.transaction_timeout === 'number' && raw.transaction_timeout > 0 ? raw.transaction_timeout : 10_000;
  const udpMs = parseDuration(raw.udptransactiontimeout ?? '10s');
  const maxBytes = typeof raw.maxbytespervalue === 'number' && raw.maxbytespervalue > 0 ? raw.maxbytespervalue : Number.MAX_SAFE_INTEGER;
  return {
    parseUnknown: raw.parseunknown === true,
    maxValues: typeof raw.maxvalues === 'number' && Number.isInteger(raw.maxvalues) ? raw.maxvalues : 0,
    maxBytesPerValue: maxBytes,
    sendRequest: raw.send_request === true,
    sendResponse: raw.send_response === true,
    tcpTimeoutUs: tcpMs * 1000,
    udpTimeoutUs: (udpMs !== undefined && udpMs > 0 ? udpMs : 10_000) * 1000,
    maxStreamBytes: MAX_STREAM_BYTES,
  };
}
