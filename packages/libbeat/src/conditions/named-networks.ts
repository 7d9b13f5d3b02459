import { cidrContains, parseCIDR, type CIDR, type IPBytes } from './ip.js';

/**
 * The named ranges of the `network` condition, with the semantics of Go's
 * net.IP predicates that Beats uses (e.g. `unicast` is IsGlobalUnicast, which
 * includes private addresses).
 */

function cidr(text: string): CIDR {
  const parsed = parseCIDR(text);
  if (parsed === null) throw new Error(`bad built-in CIDR ${text}`);
  return parsed;
}

// RFC 1918 and, as Beats has it, fd00::/8 (not the whole fc00::/7 of RFC 4193).
const PRIVATE = [cidr('10.0.0.0/8'), cidr('172.16.0.0/12'), cidr('192.168.0.0/16'), cidr('fd00::/8')];
const LOOPBACK_V4 = cidr('127.0.0.0/8');
const LINK_LOCAL_UNICAST = [cidr('169.254.0.0/16'), cidr('fe80::/10')];
const LINK_LOCAL_MULTICAST_V4 = cidr('224.0.0.0/24');
const MULTICAST = [cidr('224.0.0.0/4'), cidr('ff00::/8')];

function allZero(ip: IPBytes, upTo = ip.length): boolean {
  for (let i = 0; i < upTo; i++) if (ip[i] !== 0) return false;
  return true;
}

function isLoopback(ip: IPBytes): boolean {
  if (ip.length === 4) return cidrContains(LOOPBACK_V4, ip);
  return allZero(ip, 15) && ip[15] === 1;
}

function isUnspecified(ip: IPBytes): boolean {
  return allZero(ip);
}

function isBroadcast(ip: IPBytes): boolean {
  return ip.length === 4 && ip.every((b) => b === 0xff);
}

function isMulticast(ip: IPBytes): boolean {
  return MULTICAST.some((n) => cidrContains(n, ip));
}

function isLinkLocalUnicast(ip: IPBytes): boolean {
  return LINK_LOCAL_UNICAST.some((n) => cidrContains(n, ip));
}

// Go matches the scope nibble only (ffX2::), whatever the flags nibble.
function isLinkLocalMulticast(ip: IPBytes): boolean {
  if (ip.length === 4) return cidrContains(LINK_LOCAL_MULTICAST_V4, ip);
  return ip[0] === 0xff && ((ip[1] ?? 0) & 0x0f) === 0x02;
}

function isInterfaceLocalMulticast(ip: IPBytes): boolean {
  return ip.length === 16 && ip[0] === 0xff && ((ip[1] ?? 0) & 0x0f) === 0x01;
}

function isGlobalUnicast(ip: IPBytes): boolean {
  return !isBroadcast(ip) && !isUnspecified(ip) && !isLoopback(ip) && !isMulticast(ip) && !isLinkLocalUnicast(ip);
}

function isPrivate(ip: IPBytes): boolean {
  return PRIVATE.some((n) => cidrContains(n, ip));
}

function isLocalOrPrivate(ip: IPBytes): boolean {
  return (
    isPrivate(ip) ||
    isLoopback(ip) ||
    isUnspecified(ip) ||
    isBroadcast(ip) ||
    isLinkLocalUnicast(ip) ||
    isLinkLocalMulticast(ip) ||
    isInterfaceLocalMulticast(ip)
  );
}

export const NAMED_NETWORKS: ReadonlyMap<string, (ip: IPBytes) => boolean> = new Map([
  ['loopback', isLoopback],
  ['global_unicast', isGlobalUnicast],
  ['unicast', isGlobalUnicast],
  ['link_local_unicast', isLinkLocalUnicast],
  ['interface_local_multicast', isInterfaceLocalMulticast],
  ['link_local_multicast', isLinkLocalMulticast],
  ['multicast', isMulticast],
  ['unspecified', isUnspecified],
  ['private', isPrivate],
  ['public', (ip: IPBytes) => !isLocalOrPrivate(ip)],
]);
