// The contract for Packetbeat protocol plugins. No runtime dependencies.
export { SDK_VERSION, PLUGIN_BRAND } from './version.js';
export { WaitingConnections, type IdleAware } from './waiting-connections.js';
export { defineProtocol, isProtocolPlugin } from './define.js';
export type {
  Transport,
  Direction,
  Micros,
  Endpoint,
  ConnectionInfo,
  CommonProtocolConfig,
  Transaction,
  TransactionStatus,
  PluginLogger,
  PluginCounter,
  ProtocolContext,
  TcpHandlers,
  UdpHandlers,
  IcmpHandlers,
  IcmpPacket,
  CloseReason,
  ProtocolAnalyzer,
  ConfigSchema,
  ProtocolDefinition,
  ProtocolPlugin,
} from './types.js';
export { FROM_CLIENT, FROM_SERVER } from './types.js';
export { StreamBuffer, type StreamBufferOptions } from './stream-buffer.js';
export { KeyedCorrelator, type KeyedCorrelatorOptions, type EvictReason } from './keyed-correlator.js';
export { PipelinedCorrelator, type PipelinedCorrelatorOptions } from './pipelined-correlator.js';
