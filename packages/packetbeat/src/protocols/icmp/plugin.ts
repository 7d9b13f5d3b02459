import { defineProtocol, type ProtocolAnalyzer, type ProtocolContext, type ProtocolPlugin } from '@packetbeat-ts/protocol-sdk';
import { icmpConfigSchema, resolveIcmpConfig, type IcmpOptions } from './config.js';
import { IcmpTracker, type IcmpCounter } from './tracker.js';

export type { IcmpOptions } from './config.js';
export { IcmpTracker } from './tracker.js';
export { messageText } from './messages.js';

function createAnalyzer(ctx: ProtocolContext<IcmpOptions>): ProtocolAnalyzer {
  const config = resolveIcmpConfig(ctx.config);
  const counters: Record<IcmpCounter, { inc(n?: number): void }> = {
    unmatched_requests: ctx.counter('unmatched_requests'),
    unmatched_responses: ctx.counter('unmatched_responses'),
    duplicate_requests: ctx.counter('duplicate_requests'),
    malformed: ctx.counter('malformed'),
    evicted: ctx.counter('evicted'),
  };
  const tracker = new IcmpTracker(config, {
    report: (tx) => ctx.report(tx),
    count: (name) => counters[name].inc(),
  });
  return {
    icmp: {
      onMessage(packet, message) {
        tracker.onMessage(packet, message, ctx.now());
      },
    },
    expire(now) {
      tracker.expire(now);
    },
  };
}

/** Packetbeat's ICMP analyzer (ICMPv4 and ICMPv6): request/response pairs, errors, unanswered requests. */
export const icmpPlugin: ProtocolPlugin<IcmpOptions> = defineProtocol<IcmpOptions, unknown>({
  name: 'icmp',
  sdkVersion: '^1.0.0',
  transports: ['icmp'],
  defaultPorts: [],
  configSchema: icmpConfigSchema,
  create: createAnalyzer,
});

export default icmpPlugin;
