/** The version of this SDK contract; plugins declare the range they were built for. */
export const SDK_VERSION = '1.0.0';

/** Marks objects made by `defineProtocol()`, so the loader can tell a plugin from any other export. */
export const PLUGIN_BRAND: unique symbol = Symbol.for('packetbeat-ts.protocol-plugin');
