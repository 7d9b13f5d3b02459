/** One endpoint to check. */
export interface TcpTarget {
  /** Host name or IP address, without brackets. */
  readonly host: string;
  readonly port: number;
  /** `tcp://host:port` (IPv6 addresses in brackets). */
  readonly url: string;
  /** `monitor.id` of its events. */
  readonly id: string;
}

/**
 * Parses `host:port` (or `[ipv6]:port`, optionally prefixed with `tcp://`).
 * Returns a reason string when the value is not a valid endpoint.
 */
export function parseTarget(value: string): TcpTarget | string {
  const text = value.trim().replace(/^tcp:\/\//i, '');
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (v6 !== null) {
    host = v6[1] ?? '';
    portText = v6[2] ?? '';
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return `"${value}" has no port (expected host:port)`;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) return `"${value}": write IPv6 addresses in brackets, as [${host}]:${portText}`;
  }
  if (host === '') return `"${value}" has no host (expected host:port)`;
  if (/[\s/]/.test(host)) return `"${value}": invalid host "${host}"`;
  if (!/^\d+$/.test(portText)) return `"${value}": the port must be a number`;
  const port = Number(portText);
  if (port < 1 || port > 65535) return `"${value}": the port must be between 1 and 65535`;
  const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, url: `tcp://${hostPort}`, id: `auto-tcp-${hostPort}` };
}
