import { getPublicSuffix } from 'tldts';

const OPTIONS = { allowPrivateDomains: true, extractHostname: false, validateHostname: false, detectIp: false, mixedInputs: false } as const;

/** The question's place in the public suffix list, as Packetbeat reports it in `dns.question.*`. */
export interface DomainParts {
  readonly registered_domain?: string;
  readonly etld_plus_one?: string;
  readonly top_level_domain?: string;
  readonly subdomain?: string;
}

/**
 * Go's publicsuffix.EffectiveTLDPlusOne (the public suffix list, ICANN and
 * private sections, with the implicit `*` rule), or undefined where it
 * fails: an empty label, or a name that is itself a public suffix.
 */
export function effectiveTldPlusOne(name: string): string | undefined {
  if (name === '' || name.startsWith('.') || name.endsWith('.') || name.includes('..')) return undefined;
  const lower = name.toLowerCase();
  let suffix = getPublicSuffix(lower, OPTIONS);
  if (suffix === null || suffix === '' || !lower.endsWith(suffix)) suffix = lower.slice(lower.lastIndexOf('.') + 1);
  if (name.length <= suffix.length) return undefined;
  const cut = name.length - suffix.length - 1;
  if (name[cut] !== '.') return undefined;
  const dot = name.lastIndexOf('.', cut - 1);
  return name.slice(dot + 1);
}

/** `dns.question.{registered_domain,etld_plus_one,top_level_domain,subdomain}` for a question name (no trailing dot). */
export function domainParts(name: string): DomainParts {
  const etld1 = effectiveTldPlusOne(name);
  if (etld1 !== undefined && etld1 !== '') {
    const out: { -readonly [K in keyof DomainParts]: DomainParts[K] } = { etld_plus_one: etld1, registered_domain: etld1 };
    const idx = etld1.indexOf('.');
    if (idx !== -1) out.top_level_domain = etld1.slice(idx + 1);
    const sub = (name.endsWith(etld1) ? name.slice(0, name.length - etld1.length) : name).replace(/\.+$/, '');
    if (sub !== '') out.subdomain = sub;
    return out;
  }
  if (name.split('.').length === 2) {
    const [, tld] = name.split('.') as [string, string];
    return tld !== '' ? { top_level_domain: tld, registered_domain: name } : { registered_domain: name };
  }
  return {};
}
