/*
 * ICMP and ICMPv6 message types: their names as Packetbeat prints them
 * (`EchoRequest(0)`, `DestinationUnreachable(Port)`, `42(3)` for an unknown
 * type), and how the analyzer treats each.
 */

interface TypeInfo {
  readonly name: string;
  readonly codes?: Readonly<Record<number, string>>;
}

const ICMP4: Readonly<Record<number, TypeInfo>> = {
  0: { name: 'EchoReply' },
  3: {
    name: 'DestinationUnreachable',
    codes: {
      0: 'Net',
      1: 'Host',
      2: 'Protocol',
      3: 'Port',
      4: 'FragmentationNeeded',
      5: 'SourceRoutingFailed',
      6: 'NetUnknown',
      7: 'HostUnknown',
      8: 'SourceIsolated',
      9: 'NetAdminProhibited',
      10: 'HostAdminProhibited',
      11: 'NetTOS',
      12: 'HostTOS',
      13: 'CommAdminProhibited',
      14: 'HostPrecedence',
      15: 'PrecedenceCutoff',
    },
  },
  4: { name: 'SourceQuench' },
  5: { name: 'Redirect', codes: { 0: 'Network', 1: 'Host', 2: 'TOS+Network', 3: 'TOS+Host' } },
  8: { name: 'EchoRequest' },
  9: { name: 'RouterAdvertisement' },
  10: { name: 'RouterSolicitation' },
  11: { name: 'TimeExceeded', codes: { 0: 'TTLExceeded', 1: 'FragmentReassemblyTimeExceeded' } },
  12: { name: 'ParameterProblem', codes: { 0: 'PointerIndicatesError', 1: 'MissingOption', 2: 'BadLength' } },
  13: { name: 'TimestampRequest' },
  14: { name: 'TimestampReply' },
  15: { name: 'InfoRequest' },
  16: { name: 'InfoReply' },
  17: { name: 'AddressMaskRequest' },
  18: { name: 'AddressMaskReply' },
};

const ICMP6: Readonly<Record<number, TypeInfo>> = {
  1: { name: 'DestinationUnreachable', codes: { 0: 'NoRouteToDst', 1: 'AdminProhibited', 3: 'Address', 4: 'Port' } },
  2: { name: 'PacketTooBig' },
  3: { name: 'TimeExceeded', codes: { 0: 'HopLimitExceeded', 1: 'FragmentReassemblyTimeExceeded' } },
  4: { name: 'ParameterProblem', codes: { 0: 'ErroneousHeader', 1: 'UnrecognizedNextHeader', 2: 'UnrecognizedIPv6Option' } },
  128: { name: 'EchoRequest' },
  129: { name: 'EchoReply' },
  133: { name: 'RouterSolicitation' },
  134: { name: 'RouterAdvertisement' },
  135: { name: 'NeighborSolicitation' },
  136: { name: 'NeighborAdvertisement' },
  137: { name: 'Redirect' },
};

/** `icmp.{request,response}.message`: `TypeName(CodeName)`, numbers where a name is unknown. */
export function messageText(version: 4 | 6, type: number, code: number): string {
  const info = (version === 4 ? ICMP4 : ICMP6)[type];
  if (info === undefined) return `${type}(${code})`;
  return `${info.name}(${info.codes?.[code] ?? String(code)})`;
}

/** How the analyzer treats a message type. */
export const Kind = {
  /** Published on its own (redirects, unsolicited advertisements, unknown types). */
  Other: 0,
  /** Echo, timestamp, information and address mask requests: answered by a reply with the same id and sequence. */
  IdRequest: 1,
  IdReply: 2,
  RouterSolicitation: 3,
  RouterAdvertisement: 4,
  NeighborSolicitation: 5,
  NeighborAdvertisement: 6,
  /** Destination unreachable, source quench, time exceeded, parameter problem, packet too big. */
  Error: 7,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

const KIND4 = new Uint8Array(256);
const KIND6 = new Uint8Array(256);
for (const t of [8, 13, 15, 17]) KIND4[t] = Kind.IdRequest;
for (const t of [0, 14, 16, 18]) KIND4[t] = Kind.IdReply;
KIND4[10] = Kind.RouterSolicitation;
KIND4[9] = Kind.RouterAdvertisement;
for (const t of [3, 4, 11, 12]) KIND4[t] = Kind.Error;
KIND6[128] = Kind.IdRequest;
KIND6[129] = Kind.IdReply;
KIND6[133] = Kind.RouterSolicitation;
KIND6[134] = Kind.RouterAdvertisement;
KIND6[135] = Kind.NeighborSolicitation;
KIND6[136] = Kind.NeighborAdvertisement;
for (const t of [1, 2, 3, 4]) KIND6[t] = Kind.Error;

export function kindOf(version: 4 | 6, type: number): Kind {
  return ((version === 4 ? KIND4 : KIND6)[type & 0xff] ?? 0) as Kind;
}

/** Error messages make a transaction's status `Error` (as in Packetbeat). */
export function isErrorType(version: 4 | 6, type: number): boolean {
  return kindOf(version, type) === Kind.Error;
}
