import { WaitingConnections, defineProtocol, type Micros, type ProtocolAnalyzer, type ProtocolContext, type ProtocolPlugin } from '@packetbeat-ts/protocol-sdk';
import { memcacheConfigSchema, resolveMemcacheConfig, type MemcacheOptions } from './config.js';
import { MemcacheTcpConnection, type MemcacheSink } from './connection.js';
import { MemcacheUdp } from './udp.js';

export type { MemcacheOptions } from './config.js';
export { MemcacheTcpConnection } from './connection.js';

function createAnalyzer(ctx: ProtocolContext<MemcacheOptions>): ProtocolAnalyzer<MemcacheTcpConnection> {
  const config = resolveMemcacheConfig(ctx.config);
  const counters = {
    unmatched_requests: ctx.counter('unmatched_requests'),
    unmatched_responses: ctx.counter('unmatched_responses'),
    unfinished_transactions: ctx.counter('unfinished_transactions'),
  };
  const sink: MemcacheSink = {
    config,
    now: () => ctx.now(),
    report: (tx) => ctx.report(tx),
    count: (name) => counters[name].inc(),
  };
  const udp = new MemcacheUdp(sink);
  /** TCP connections with something waiting, for `expire`. */
  const live = new WaitingConnections<MemcacheTcpConnection>();

  return {
    tcp: {
      init: (conn) => new MemcacheTcpConnection(conn, sink),
      onData(state, _conn, dir, data) {
        state.onData(dir, data);
        live.touch(state);
      },
      onGap: (state, _conn, dir, length) => state.onGap(dir, length),
      onClose(state) {
        state.close();
        live.remove(state);
      },
    },
    udp: {
      onDatagram: (conn, dir, data) => udp.onDatagram(conn, dir, data),
    },
    expire(now: Micros) {
      // Like Packetbeat, a TCP connection's transactions are reported after
      // transaction_timeout without traffic on it.
      live.expire((state) => {
        if (now - state.lastSeen >= config.tcpTimeoutUs) state.pushAll();
      });
      udp.expire(now);
    },
  };
}

/** Packetbeat's Memcache analyzer: text and binary protocols, over TCP and UDP. */
export const memcachePlugin: ProtocolPlugin<MemcacheOptions, MemcacheTcpConnection> = defineProtocol<MemcacheOptions, MemcacheTcpConnection>({
  name: 'memcache',
  sdkVersion: '^1.0.0',
  transports: ['tcp', 'udp'],
  defaultPorts: [11211],
  configSchema: memcacheConfigSchema,
  create: createAnalyzer,
});

export default memcachePlugin;
