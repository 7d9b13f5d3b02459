import type { BeatDefinition } from '@packetbeat-ts/libbeat';

type FieldDefinition = NonNullable<BeatDefinition['fields']>[number];
type FieldType = FieldDefinition['type'];

/** `[name, type]` pairs under a common prefix. */
function group(prefix: string, entries: ReadonlyArray<readonly [string, FieldType]>): FieldDefinition[] {
  return entries.map(([name, type]) => ({ name: prefix === '' ? name : `${prefix}.${name}`, type }));
}

const endpoint = (prefix: string): FieldDefinition[] =>
  group(prefix, [
    ['ip', 'ip'],
    ['port', 'long'],
    ['bytes', 'long'],
    ['packets', 'long'],
    ['domain', 'keyword'],
    ['mac', 'keyword'],
  ]);

const memcacheMessage = (prefix: string): FieldDefinition[] =>
  group(prefix, [
    ['line', 'keyword'],
    ['command', 'keyword'],
    ['type', 'keyword'],
    ['opcode', 'keyword'],
    ['opcode_value', 'long'],
    ['opaque', 'long'],
    ['keys', 'keyword'],
    ['cas_unique', 'long'],
    ['count_values', 'long'],
    ['values', 'keyword'],
    ['bytes', 'long'],
    ['version', 'long'],
    ['quiet', 'boolean'],
    ['noreply', 'boolean'],
    ['vbucket', 'long'],
    ['status', 'keyword'],
    ['status_code', 'long'],
    ['value', 'long'],
    ['delta', 'long'],
    ['initial', 'long'],
    ['verbosity', 'long'],
    ['raw_args', 'keyword'],
    ['source_class', 'long'],
    ['dest_class', 'long'],
    ['automove', 'keyword'],
    ['flags', 'long'],
    ['exptime', 'long'],
    ['sleep_us', 'long'],
    ['error_msg', 'keyword'],
    ['stats', 'object'],
  ]);

const dnsRecords = (prefix: string): FieldDefinition[] => [
  { name: prefix, type: 'object' },
  ...group(prefix, [
    ['name', 'keyword'],
    ['type', 'keyword'],
    ['class', 'keyword'],
    ['ttl', 'keyword'],
    ['data', 'keyword'],
  ]),
];

const httpMessage = (prefix: string): FieldDefinition[] => [
  ...group(prefix, [
    ['bytes', 'long'],
    ['mime_type', 'keyword'],
    ['body.bytes', 'long'],
    ['body.content', 'text'],
  ]),
  // Header names vary: mapped dynamically (strings become keywords).
  { name: `${prefix}.headers`, type: 'object', dynamic: true },
];

/**
 * The fields of Packetbeat's documents, typed as Packetbeat's index template
 * types them: transactions (publish/transaction-event.ts), flows
 * (flows/flow-event.ts) and the protocols' own fields (protocols/*).
 */
export const packetbeatFields: readonly FieldDefinition[] = [
  // Transaction framework
  ...group('', [
    ['type', 'keyword'],
    ['status', 'keyword'],
    ['method', 'keyword'],
    ['query', 'keyword'],
    ['resource', 'keyword'],
    ['path', 'keyword'],
    ['request', 'text'],
    ['response', 'text'],
  ]),
  ...group('event', [
    ['kind', 'keyword'],
    ['category', 'keyword'],
    ['type', 'keyword'],
    ['action', 'keyword'],
    ['outcome', 'keyword'],
    ['dataset', 'keyword'],
    ['start', 'date'],
    ['end', 'date'],
    ['duration', 'long'],
  ]),
  ...endpoint('client'),
  ...endpoint('server'),
  ...endpoint('source'),
  ...endpoint('destination'),
  ...group('network', [
    ['type', 'keyword'],
    ['transport', 'keyword'],
    ['protocol', 'keyword'],
    ['direction', 'keyword'],
    ['community_id', 'keyword'],
    ['bytes', 'long'],
    ['packets', 'long'],
    ['forwarded_ip', 'ip'],
    ['vlan.id', 'keyword'],
  ]),
  ...group('related', [
    ['ip', 'ip'],
    ['hosts', 'keyword'],
    ['user', 'keyword'],
  ]),
  { name: 'user.name', type: 'keyword' },
  { name: 'error.message', type: 'text' },
  // Flows
  ...group('flow', [
    ['id', 'keyword'],
    ['final', 'boolean'],
    ['vlan', 'long'],
  ]),
  // HTTP
  { name: 'http.version', type: 'keyword' },
  ...httpMessage('http.request'),
  { name: 'http.request.method', type: 'keyword' },
  { name: 'http.request.referrer', type: 'keyword' },
  ...httpMessage('http.response'),
  { name: 'http.response.status_code', type: 'long' },
  { name: 'http.response.status_phrase', type: 'keyword' },
  ...group('url', [
    ['scheme', 'keyword'],
    ['domain', 'keyword'],
    ['port', 'long'],
    ['path', 'keyword'],
    ['query', 'keyword'],
    ['extension', 'keyword'],
    ['full', 'keyword'],
  ]),
  { name: 'user_agent.original', type: 'keyword' },
  // DNS
  ...group('dns', [
    ['type', 'keyword'],
    ['id', 'long'],
    ['op_code', 'keyword'],
    ['response_code', 'keyword'],
    ['header_flags', 'keyword'],
    ['flags.authoritative', 'boolean'],
    ['flags.truncated_response', 'boolean'],
    ['flags.recursion_desired', 'boolean'],
    ['flags.recursion_available', 'boolean'],
    ['flags.authentic_data', 'boolean'],
    ['flags.checking_disabled', 'boolean'],
    ['question.name', 'keyword'],
    ['question.type', 'keyword'],
    ['question.class', 'keyword'],
    ['question.etld_plus_one', 'keyword'],
    ['question.registered_domain', 'keyword'],
    ['question.top_level_domain', 'keyword'],
    ['question.subdomain', 'keyword'],
    ['opt.version', 'keyword'],
    ['opt.do', 'boolean'],
    ['opt.ext_rcode', 'keyword'],
    ['opt.udp_size', 'long'],
    ['answers_count', 'long'],
    ['authorities_count', 'long'],
    ['additionals_count', 'long'],
    ['resolved_ip', 'ip'],
  ]),
  ...dnsRecords('dns.answers'),
  ...dnsRecords('dns.authorities'),
  ...dnsRecords('dns.additionals'),
  // ICMP
  ...group('icmp', [
    ['version', 'long'],
    ['request.message', 'keyword'],
    ['request.type', 'long'],
    ['request.code', 'long'],
    ['response.message', 'keyword'],
    ['response.type', 'long'],
    ['response.code', 'long'],
  ]),
  // Memcache
  { name: 'memcache.protocol_type', type: 'keyword' },
  ...memcacheMessage('memcache.request'),
  ...memcacheMessage('memcache.response'),
  // Redis
  ...group('redis', [
    ['return_value', 'keyword'],
    ['error', 'keyword'],
  ]),
];
