import { WaitingConnections, defineProtocol, type Micros, type ProtocolAnalyzer, type ProtocolContext, type ProtocolPlugin } from '@packetbeat-ts/protocol-sdk';
import { redisConfigSchema, resolveRedisConfig, type RedisOptions } from './config.js';
import { RedisConnection, type ConnectionSink } from './connection.js';

export type { RedisOptions } from './config.js';
export { RedisConnection } from './connection.js';

function createAnalyzer(ctx: ProtocolContext<RedisOptions>): ProtocolAnalyzer<RedisConnection> {
  const config = resolveRedisConfig(ctx.config);
  const unmatchedRequests = ctx.counter('unmatched_requests');
  const unmatchedResponses = ctx.counter('unmatched_responses');
  const pushMessages = ctx.counter('push_messages');
  const parseErrors = ctx.counter('parse_errors');
  const sink: ConnectionSink = {
    config,
    now: () => ctx.now(),
    report: (tx) => ctx.report(tx),
    unmatchedRequest: (n = 1) => unmatchedRequests.inc(n),
    unmatchedResponse: () => unmatchedResponses.inc(),
    pushMessage: () => pushMessages.inc(),
    parseError(reason) {
      parseErrors.inc();
      if (ctx.log.isDebugEnabled()) ctx.log.debug('ignoring data that is not RESP; dropping the stream’s buffered bytes', { reason });
    },
  };
  /** Connections with requests waiting, for `expire`. */
  const live = new WaitingConnections<RedisConnection>();

  return {
    tcp: {
      init: (conn) => new RedisConnection(conn, sink),
      onData(state, _conn, dir, data) {
        state.onData(dir, data);
        live.touch(state);
      },
      onGap: (state) => state.onGap(),
      onClose(state) {
        state.close();
        live.remove(state);
      },
    },
    expire(now: Micros) {
      const olderThan = now - config.transactionTimeoutUs;
      live.expire((state) => state.expire(olderThan));
    },
  };
}

/**
 * Packetbeat's Redis analyzer: RESP2 and RESP3 (plus inline commands),
 * pipelined requests paired with responses in order. Publishes `method`
 * (the command, upper-case), `resource` (its first argument, usually the
 * key), `query` (the command line) and `redis.return_value` or
 * `redis.error`. Messages pushed to a subscriber have no request and are
 * not published (counted as `push_messages`); requests never answered are
 * not published either (counted as `unmatched_requests`), as in Packetbeat.
 */
export const redisPlugin: ProtocolPlugin<RedisOptions, RedisConnection> = defineProtocol<RedisOptions, RedisConnection>({
  name: 'redis',
  sdkVersion: '^1.0.0',
  transports: ['tcp'],
  defaultPorts: [6379],
  configSchema: redisConfigSchema,
  create: createAnalyzer,
});

export default redisPlugin;
