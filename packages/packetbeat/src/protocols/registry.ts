import { isProtocolPlugin, type ProtocolPlugin } from '@packetbeat-ts/protocol-sdk';

/**
 * The protocols built into Packetbeat, by name (`type` in
 * `packetbeat.protocols`). The loader looks here when an item names no
 * `package`, before the `packetbeat-protocol-<type>` naming convention.
 */
export class ProtocolRegistry {
  private readonly plugins = new Map<string, ProtocolPlugin>();

  constructor(plugins: Iterable<ProtocolPlugin> = []) {
    for (const plugin of plugins) this.register(plugin);
  }

  /** Adds a plugin; throws if it is not made by `defineProtocol()` or its name is taken. */
  register(plugin: ProtocolPlugin): this {
    if (!isProtocolPlugin(plugin)) throw new TypeError('ProtocolRegistry.register: not a protocol made with defineProtocol()');
    if (this.plugins.has(plugin.name)) throw new Error(`ProtocolRegistry.register: protocol "${plugin.name}" is already registered`);
    this.plugins.set(plugin.name, plugin);
    return this;
  }

  get(name: string): ProtocolPlugin | undefined {
    return this.plugins.get(name);
  }

  has(name: string): boolean {
    return this.plugins.has(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.plugins.keys()].sort();
  }
}
