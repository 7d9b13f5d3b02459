/** Message classes (Packetbeat's `memcache.request.type` / `memcache.response.type`). */
export type MsgType = 'UNKNOWN' | 'Load' | 'Store' | 'Delete' | 'Counter' | 'Info' | 'SlabCtrl' | 'LRUCrawler' | 'Stats' | 'Success' | 'Fail' | 'Auth';

/** Binary protocol opcode names, as Packetbeat publishes them in `opcode`. */
export const OPCODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'Get'], [0x01, 'Set'], [0x02, 'Add'], [0x03, 'Replace'], [0x04, 'Delete'], [0x05, 'Increment'],
  [0x06, 'Decrement'], [0x07, 'Quit'], [0x08, 'Flush'], [0x09, 'GetQ'], [0x0a, 'No-op'], [0x0b, 'Version'],
  [0x0c, 'GetK'], [0x0d, 'GetKQ'], [0x0e, 'Append'], [0x0f, 'Prepend'], [0x10, 'Stat'], [0x11, 'SetQ'],
  [0x12, 'AddQ'], [0x13, 'ReplaceQ'], [0x14, 'DeleteQ'], [0x15, 'IncrementQ'], [0x16, 'DecrementQ'],
  [0x17, 'QuitQ'], [0x18, 'FlushQ'], [0x19, 'AppendQ'], [0x1a, 'PrependQ'], [0x1b, 'Verbosity'], [0x1c, 'Touch'],
  [0x1d, 'GAT'], [0x1e, 'GATQ'], [0x20, 'SASL list mechs'], [0x21, 'SASL Auth'], [0x22, 'SASL Step'],
  [0x23, 'GatK'], [0x24, 'GatKQ'], [0x30, 'RGet'], [0x31, 'RSet'], [0x32, 'RSetQ'], [0x33, 'RAppend'],
  [0x34, 'RAppendQ'], [0x35, 'RPrepend'], [0x36, 'RPrependQ'], [0x37, 'RDelete'], [0x38, 'RDeleteQ'],
  [0x39, 'RIncr'], [0x3a, 'RIncrQ'], [0x3b, 'RDecr'], [0x3c, 'RDecrQ'], [0x3d, 'Set VBucket'], [0x3e, 'Get VBucket'],
  [0x3f, 'Del VBucket'], [0x40, 'TAP Connect'], [0x41, 'TAP Mutation'], [0x42, 'TAP Delete'], [0x43, 'TAP Flush'],
  [0x44, 'TAP Opaque'], [0x45, 'TAP VBucket Set'], [0x46, 'TAP Checkpoint Start'], [0x47, 'TAP Checkpoint End'],
]);

export const OP_GET = 0x00;
export const OP_QUITQ = 0x17;
export const OP_STAT = 0x10;

/** Opcodes whose requests get no response on success. */
export const QUIET_OPCODES: ReadonlySet<number> = new Set([
  0x09, 0x0d, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1e, 0x24, 0x32, 0x34, 0x36, 0x38, 0x3a, 0x3c,
]);

/** Binary response status names (`memcache.response.status`). */
export const STATUS_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'Success'], [0x01, 'Key not found'], [0x02, 'Key exists'], [0x03, 'Value too large'], [0x04, 'Invalid arguments'],
  [0x05, 'Item not stored'], [0x06, 'Incr/Decr on non-numeric value.'], [0x07, 'The vbucket belongs to another server'],
  [0x20, 'Authentication error'], [0x21, 'Authentication continue'], [0x81, 'Unknown command'], [0x82, 'Out of memory'],
  [0x83, 'Not supported'], [0x84, 'Internal error'], [0x85, 'Busy'], [0x86, 'Temporary failure'],
]);

export const NOTE_REQUEST_PACKET_LOSS = 'Packet loss while capturing the request';
export const NOTE_RESPONSE_PACKET_LOSS = 'Packet loss while capturing the response';
export const NOTE_NO_REQUEST = 'Invalid transaction. Request missing';
export const NOTE_NON_QUIET_RESPONSE_ONLY = 'Missing response for non-quiet request';
export const NOTE_UNFINISHED = 'Unfinished transaction';
