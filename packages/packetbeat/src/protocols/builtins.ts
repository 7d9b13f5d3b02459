import dnsPlugin from './dns/plugin.js';
import { httpPlugin } from './http/plugin.js';
import icmpPlugin from './icmp/plugin.js';
import memcachePlugin from './memcache/plugin.js';
import redisPlugin from './redis/plugin.js';
import { ProtocolRegistry } from './registry.js';

/** The protocols that ship with Packetbeat; third-party ones are loaded by package. */
export function builtinProtocols(): ProtocolRegistry {
  return new ProtocolRegistry([dnsPlugin, httpPlugin, icmpPlugin, memcachePlugin, redisPlugin]);
}
