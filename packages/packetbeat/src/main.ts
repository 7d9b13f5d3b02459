import { parseDuration, runCli, type BeatDefinition } from '@packetbeat-ts/libbeat';
import { createPacketbeat } from './beater.js';
import { devicesCommand } from './devices-command.js';
import { packetbeatSchema } from './config-schema.js';
import { packetbeatFields } from './fields.js';
import { packetbeatFlags } from './flags.js';
import { PACKETBEAT_VERSION } from './version.js';

export const packetbeatDefinition: BeatDefinition = {
  name: 'packetbeat',
  version: PACKETBEAT_VERSION,
  schema: packetbeatSchema,
  flags: packetbeatFlags,
  commands: [devicesCommand],
  fields: packetbeatFields,
  create: createPacketbeat,
  shutdownTimeoutMs: (config) => parseDuration(config.get('packetbeat.shutdown_timeout')) ?? 0,
};

/** Entry point of the `packetbeat` executable. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  return runCli(packetbeatDefinition, argv);
}
