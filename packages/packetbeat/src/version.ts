import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

/** The version reported as `agent.version` and by `packetbeat version`. */
export const PACKETBEAT_VERSION: string = pkg.version;
