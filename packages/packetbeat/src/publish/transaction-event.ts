import { communityId, isPlainObject, mergeFields, parseIP, type BeatEvent, type EventFields, type IPBytes } from '@packetbeat-ts/libbeat';
import type { Transaction } from '@packetbeat-ts/protocol-sdk';
import { microsToDate, microsToIso } from './timestamps.js';

/** Decides `network.direction` from `packetbeat.interfaces.internal_networks`. */
export type InternalNetworkTest = (ip: IPBytes) => boolean;

const IANA: Record<string, number> = { tcp: 6, udp: 17 };

/**
 * The ECS document of a transaction, as Packetbeat writes it: the framework's
 * fields (`type`, `status`, `event.*`, client/server/source/destination,
 * `network.*` with `community_id`, `related.*`) and then the protocol's own.
 */
export function transactionEvent(tx: Transaction, protocolName: string, internal: readonly InternalNetworkTest[]): BeatEvent {
  const type = tx.type ?? protocolName;
  const { client, server, transport } = tx.conn;
  const requestBytes = tx.requestBytes ?? 0;
  const responseBytes = tx.responseBytes ?? 0;

  const fields: EventFields = { type, status: tx.status };
  if (tx.method !== undefined) fields['method'] = tx.method;
  if (tx.query !== undefined) fields['query'] = tx.query;
  if (tx.resource !== undefined) fields['resource'] = tx.resource;
  if (tx.path !== undefined) fields['path'] = tx.path;

  const event: EventFields = {
    kind: 'event',
    category: ['network'],
    type: ['connection', 'protocol'],
    dataset: type,
    start: microsToIso(tx.start),
  };
  if (tx.end !== undefined) {
    event['end'] = microsToIso(tx.end);
    event['duration'] = Math.round((tx.end - tx.start) * 1000);
  }
  fields['event'] = event;

  // ICMP has no ports: Packetbeat's ICMP documents carry addresses only.
  const isIcmp = transport === 'icmp';
  const clientSide: EventFields = isIcmp ? { ip: client.ip } : { ip: client.ip, port: client.port };
  const serverSide: EventFields = isIcmp ? { ip: server.ip } : { ip: server.ip, port: server.port };
  if (tx.requestBytes !== undefined) clientSide['bytes'] = requestBytes;
  if (tx.responseBytes !== undefined) serverSide['bytes'] = responseBytes;
  fields['client'] = clientSide;
  fields['server'] = serverSide;
  fields['source'] = { ...clientSide };
  fields['destination'] = { ...serverSide };

  const ipv6 = client.ip.includes(':');
  const network: EventFields = {
    type: ipv6 ? 'ipv6' : 'ipv4',
    transport: isIcmp ? (ipv6 ? 'ipv6-icmp' : 'icmp') : transport,
    protocol: type,
  };
  if (tx.requestBytes !== undefined || tx.responseBytes !== undefined) network['bytes'] = requestBytes + responseBytes;
  const endpoints = isIcmp ? icmpEndpoints(tx, ipv6, internal) : connectionEndpoints(tx, internal);
  if (endpoints !== undefined) {
    network['community_id'] = endpoints.communityId;
    if (endpoints.direction !== undefined) network['direction'] = endpoints.direction;
  }
  if (tx.conn.vlans.length > 0) network['vlan'] = { id: tx.conn.vlans[0] };
  fields['network'] = network;

  const related: EventFields = { ip: client.ip === server.ip ? [client.ip] : [client.ip, server.ip] };
  if (tx.hosts !== undefined && tx.hosts.length > 0) related['hosts'] = [...new Set(tx.hosts)];
  if (tx.user !== undefined && tx.user !== '') {
    related['user'] = [tx.user];
    fields['user'] = { name: tx.user };
  }
  fields['related'] = related;

  if (tx.request !== undefined) fields['request'] = tx.request;
  if (tx.response !== undefined) fields['response'] = tx.response;
  if (tx.notes !== undefined && tx.notes.length > 0) fields['error'] = { message: tx.notes.length === 1 ? tx.notes[0] : [...tx.notes] };

  // The protocol's own fields, handed over (not copied); extra related IPs (e.g. DNS answers) join the list.
  const own = tx.fields;
  const ownRelated = own['related'];
  if (isPlainObject(ownRelated) && Array.isArray(ownRelated['ip'])) {
    const ips = related['ip'] as string[];
    for (const ip of ownRelated['ip'] as unknown[]) if (typeof ip === 'string' && !ips.includes(ip)) ips.push(ip);
    const { ip: _ignored, ...rest } = ownRelated;
    mergeFields(fields, { ...own, related: rest }, true, false);
  } else {
    mergeFields(fields, own, true, false);
  }
  // client/server mirror source/destination (Packetbeat sets the domain on both).
  const destinationDomain = (fields['destination'] as EventFields)['domain'];
  if (destinationDomain !== undefined && serverSide['domain'] === undefined) serverSide['domain'] = destinationDomain;
  const sourceDomain = (fields['source'] as EventFields)['domain'];
  if (sourceDomain !== undefined && clientSide['domain'] === undefined) clientSide['domain'] = sourceDomain;
  return { timestamp: microsToDate(tx.start), fields };
}

/** What a transaction's connection alone decides: its Community ID and direction. */
interface Endpoints {
  readonly communityId: string;
  readonly direction: string | undefined;
}

/**
 * Community IDs (a SHA-1) and directions (address parsing and network tests)
 * are the same for every transaction of a connection: kept per 5-tuple, in a
 * table emptied when it grows past its bound.
 */
const endpointCache = new Map<string, Endpoints | null>();
const ENDPOINT_CACHE_MAX = 16_384;
let cachedInternal: readonly InternalNetworkTest[] | undefined;

function connectionEndpoints(tx: Transaction, internal: readonly InternalNetworkTest[]): Endpoints | undefined {
  const { client, server, transport } = tx.conn;
  if (internal !== cachedInternal) {
    endpointCache.clear();
    cachedInternal = internal;
  }
  const key = `${transport} ${client.ip} ${client.port} ${server.ip} ${server.port}`;
  const hit = endpointCache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const clientIp = parseIP(client.ip);
  const serverIp = parseIP(server.ip);
  const endpoints =
    clientIp === null || serverIp === null
      ? null
      : {
          communityId: communityId({ sourceIP: clientIp, destinationIP: serverIp, protocol: IANA[transport] ?? 0, sourcePort: client.port, destinationPort: server.port }),
          direction: networkDirection(clientIp, serverIp, internal),
        };
  if (endpointCache.size >= ENDPOINT_CACHE_MAX) endpointCache.clear();
  endpointCache.set(key, endpoints);
  return endpoints ?? undefined;
}

/** ICMP's Community ID depends on the message type and code: not cached. */
function icmpEndpoints(tx: Transaction, ipv6: boolean, internal: readonly InternalNetworkTest[]): Endpoints | undefined {
  const clientIp = parseIP(tx.conn.client.ip);
  const serverIp = parseIP(tx.conn.server.ip);
  if (clientIp === null || serverIp === null) return undefined;
  return {
    communityId: communityId({ sourceIP: clientIp, destinationIP: serverIp, protocol: ipv6 ? 58 : 1, icmpType: tx.icmp?.type ?? 0, icmpCode: tx.icmp?.code ?? 0 }),
    direction: networkDirection(clientIp, serverIp, internal),
  };
}

/** ECS `network.direction` from the internal networks: inbound, outbound, internal or external. */
function networkDirection(client: IPBytes, server: IPBytes, internal: readonly InternalNetworkTest[]): string | undefined {
  if (internal.length === 0) return undefined;
  const clientInternal = internal.some((test) => test(client));
  const serverInternal = internal.some((test) => test(server));
  if (clientInternal && serverInternal) return 'internal';
  if (clientInternal) return 'outbound';
  if (serverInternal) return 'inbound';
  return 'external';
}
