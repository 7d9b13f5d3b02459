import type { BeatEvent } from '../event.js';
import type { Condition } from '../processors/processor.js';
import { getEventValue } from '../processors/event-fields.js';
import { conditionError } from './condition-error.js';
import { readFieldMap } from './field-map.js';
import { cidrContains, parseCIDR, parseIP, type IPBytes } from './ip.js';
import { NAMED_NETWORKS } from './named-networks.js';

type Matcher = (ip: IPBytes) => boolean;

/** A matcher for a named network (`private`, `loopback`…) or a CIDR; throws CONDITION_INVALID naming `path`. */
export function compileNetwork(spec: string, path: string): Matcher {
  const named = NAMED_NETWORKS.get(spec);
  if (named !== undefined) return named;
  const net = parseCIDR(spec);
  if (net === null) {
    throw conditionError(
      path,
      `"${spec}" is neither a named network (${[...NAMED_NETWORKS.keys()].join(', ')}) ` +
        `nor a CIDR like '192.0.2.0/24' or '2001:db8::/32'`,
    );
  }
  return (ip) => cidrContains(net, ip);
}

function extractIPs(value: unknown): IPBytes[] {
  const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return texts.map(parseIP).filter((ip): ip is IPBytes => ip !== null);
}

/**
 * `network`: each field holds an IP (or a list of IPs, any of which may
 * match) that must lie in the given CIDR, named range, or any of a list of
 * them. IPv4 and IPv6.
 */
export class NetworkCondition implements Condition {
  private readonly fields: [string, Matcher, string][];

  constructor(config: unknown, path = 'network') {
    this.fields = readFieldMap(config, path).map(([field, value]) => {
      const at = `${path}.${field}`;
      if (typeof value === 'string') return [field, compileNetwork(value, at), value];
      if (Array.isArray(value) && value.length > 0) {
        const matchers = value.map((v, i) => {
          if (typeof v !== 'string') throw conditionError(`${at}.${i}`, `expected a string, got ${JSON.stringify(v)}`);
          return compileNetwork(v, `${at}.${i}`);
        });
        return [field, (ip: IPBytes) => matchers.some((m) => m(ip)), value.join(' OR ')];
      }
      throw conditionError(at, `expected a network or a list of networks, got ${JSON.stringify(value)}`);
    });
  }

  check(event: BeatEvent): boolean {
    return this.fields.every(([field, matches]) => extractIPs(getEventValue(event, field)).some(matches));
  }

  toString(): string {
    return `network: ${this.fields.map(([f, , s]) => `${f}:${s}`).join(' AND ')}`;
  }
}
