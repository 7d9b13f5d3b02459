import type { ProtocolDefinition, ProtocolPlugin } from './types.js';
import { PLUGIN_BRAND } from './version.js';

/**
 * Declares a protocol plugin. The result is a plain, frozen value the loader
 * recognises by its brand; export it as the package's default export.
 */
export function defineProtocol<C = object, S = unknown>(definition: ProtocolDefinition<C, S>): ProtocolPlugin<C, S> {
  if (typeof definition.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(definition.name)) {
    throw new TypeError(`defineProtocol: name must be lower-case letters, digits and _ (got ${JSON.stringify(definition.name)})`);
  }
  if (definition.transports.length === 0) throw new TypeError(`defineProtocol(${definition.name}): transports must not be empty`);
  for (const port of definition.defaultPorts) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`defineProtocol(${definition.name}): bad default port ${port}`);
  }
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const });
}

/** True for values made by `defineProtocol()` (of any SDK copy: the brand is a registered symbol). */
export function isProtocolPlugin(value: unknown): value is ProtocolPlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
