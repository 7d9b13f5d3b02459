import { WaitingConnections, defineProtocol, type Micros, type ProtocolAnalyzer, type ProtocolContext, type ProtocolPlugin } from '@packetbeat-ts/protocol-sdk';
import { httpConfigSchema, resolveHttpConfig, type HttpOptions } from './config.js';
import { HttpConnection, type ConnectionSink } from './connection.js';

export type { HttpOptions } from './config.js';
export { HttpConnection } from './connection.js';

function createAnalyzer(ctx: ProtocolContext<HttpOptions>): ProtocolAnalyzer<HttpConnection> {
  const config = resolveHttpConfig(ctx.config);
  const unmatchedRequests = ctx.counter('unmatched_requests');
  const unmatchedResponses = ctx.counter('unmatched_responses');
  const sink: ConnectionSink = {
    config,
    now: () => ctx.now(),
    report: (tx) => ctx.report(tx),
    unmatchedRequest: () => unmatchedRequests.inc(),
    unmatchedResponse: () => unmatchedResponses.inc(),
  };
  /** Connections with requests waiting, for `expire`. */
  const live = new WaitingConnections<HttpConnection>();

  return {
    tcp: {
      init: (conn) => new HttpConnection(conn, sink),
      onData(state, _conn, dir, data) {
        state.onData(dir, data);
        live.touch(state);
      },
      onGap: (state, _conn, dir, length) => state.onGap(dir, length),
      onFin(state, _conn, dir) {
        state.onFin(dir);
      },
      onClose(state) {
        state.close();
        live.remove(state);
      },
    },
    expire(now: Micros) {
      const olderThan = now - config.transactionTimeoutUs;
      live.expire((state) => state.flushRequests(olderThan));
    },
  };
}

/** Packetbeat's HTTP analyzer. */
export const httpPlugin: ProtocolPlugin<HttpOptions, HttpConnection> = defineProtocol<HttpOptions, HttpConnection>({
  name: 'http',
  sdkVersion: '^1.0.0',
  transports: ['tcp'],
  defaultPorts: [80, 8080, 8000, 5000, 8002],
  configSchema: httpConfigSchema,
  create: createAnalyzer,
});

export default httpPlugin;
