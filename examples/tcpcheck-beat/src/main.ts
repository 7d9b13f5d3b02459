import { parseDuration, runCli, type BeatDefinition } from '@packetbeat-ts/libbeat';
import { TcpcheckBeater } from './beater.js';
import { tcpcheckSchema } from './config-schema.js';
import { readSettings } from './settings.js';
import { TCPCHECK_VERSION } from './version.js';

/**
 * Everything libbeat needs to run tcpcheck: its name (agent.type, the
 * default config file `tcpcheck.yml`, the `tcpcheck.*` namespace), its
 * schema, and a factory validating the settings and building the beater.
 */
export const tcpcheckDefinition: BeatDefinition = {
  name: 'tcpcheck',
  version: TCPCHECK_VERSION,
  schema: tcpcheckSchema,
  create: (setup) => new TcpcheckBeater(readSettings(setup.config)),
  shutdownTimeoutMs: (config) => parseDuration(config.get('tcpcheck.shutdown_timeout')) ?? 0,
};

/** Entry point of the `tcpcheck-beat` executable. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  return runCli(tcpcheckDefinition, argv);
}
