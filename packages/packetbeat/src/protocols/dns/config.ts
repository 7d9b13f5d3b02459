import type { ConfigSchema } from '@packetbeat-ts/protocol-sdk';

/** The DNS plugin's own options, as Packetbeat's `packetbeat.protocols: - type: dns` accepts them. */
export interface DnsOptions {
  /** Publish the authority section as `dns.authorities`. */
  readonly include_authorities: boolean;
  /** Publish the additional section as `dns.additionals`. */
  readonly include_additionals: boolean;
  /** Most queries waiting for an answer at once (older ones are reported unanswered). */
  readonly max_pending_queries: number;
}

export const dnsConfigSchema: ConfigSchema = {
  include_authorities: { doc: 'Add the authority section (dns.authorities) to documents', format: 'bool', default: false },
  include_additionals: { doc: 'Add the additional section (dns.additionals) to documents', format: 'bool', default: false },
  max_pending_queries: { doc: 'Most queries waiting for a response; beyond it the oldest is reported without response', format: 'positive-int', default: 10000 },
};
