import type { BeatFlagSpec } from '@packetbeat-ts/libbeat';

/** Packetbeat's own command-line flags, as its `run` command has them. */
export const packetbeatFlags: readonly BeatFlagSpec[] = [
  { flags: '-I <file>', description: 'read packet data from the specified pcap or pcapng file' },
  { flags: '-t', description: 'read the capture file as fast as possible, not at its recorded pace' },
  { flags: '-l <count>', description: 'loop the capture file this many times (0 = forever)', defaultValue: '1' },
  { flags: '-O', description: 'read one packet at a time, pressing Enter between packets' },
  { flags: '--dump <prefix>', description: 'write all captured packets to pcap files with this prefix' },
  { flags: '--waitstop <seconds>', description: 'wait this many seconds before shutting down' },
];
