import type { ConfigSchema } from '@packetbeat-ts/protocol-sdk';

/** Requests waiting for their answer, at most (a cap on memory; the oldest is reported as unanswered to make room). */
export const DEFAULT_MAX_PENDING_REQUESTS = 65_536;

/**
 * The ICMP plugin's own options. Packetbeat's ICMP analyzer takes only the
 * common ones (`enabled`, `transaction_timeout`; `send_request` and
 * `send_response` are accepted and, as in Packetbeat, unused); this adds a
 * cap on the requests kept while they wait for an answer.
 */
export interface IcmpOptions {
  readonly max_pending_requests: number;
}

export const icmpConfigSchema: ConfigSchema = {
  max_pending_requests: {
    doc: 'Largest number of ICMP requests kept while waiting for their response; beyond it the oldest is reported as unanswered',
    format: 'positive-int',
    default: DEFAULT_MAX_PENDING_REQUESTS,
  },
};

export interface ResolvedIcmpConfig {
  readonly maxPending: number;
  /** Microseconds. */
  readonly transactionTimeoutUs: number;
}

/** Normalises a (possibly partial) config: missing keys take the defaults. */
export function resolveIcmpConfig(raw: Partial<IcmpOptions> & { transaction_timeout?: number }): ResolvedIcmpConfig {
  const timeoutMs = typeof raw.transaction_timeout === 'number' && raw.transaction_timeout > 0 ? raw.transaction_timeout : 10_000;
  const max = raw.max_pending_requests;
  return {
    maxPending: typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : DEFAULT_MAX_PENDING_REQUESTS,
    transactionTimeoutUs: timeoutMs * 1000,
  };
}
