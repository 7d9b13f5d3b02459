import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import type { EventFields } from '../event.js';

/**
 * The host facts add_host_metadata reports (ECS `host.*`), gathered as
 * go-sysinfo does: os-release on Linux, machine-id for `host.id`, the
 * non-loopback interfaces for `host.ip`/`host.mac`.
 */
export interface HostInfo {
  readonly hostname: string;
  readonly architecture: string;
  readonly id?: string;
  readonly os: {
    readonly type: string;
    readonly platform: string;
    readonly family: string;
    readonly name: string;
    readonly version: string;
    readonly kernel: string;
    readonly codename?: string;
    readonly build?: string;
  };
  readonly ip: readonly string[];
  readonly mac: readonly string[];
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Parses /etc/os-release (KEY=value lines, optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m === null) continue;
    let value = (m[2] ?? '').trim();
    if (value.length >= 2 && (value.startsWith('"') || value.startsWith("'")) && value.endsWith(value.charAt(0))) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    out[m[1] ?? ''] = value;
  }
  return out;
}

// go-sysinfo's distribution families.
const FAMILIES: Record<string, readonly string[]> = {
  debian: ['debian', 'ubuntu', 'raspbian', 'linuxmint'],
  redhat: ['redhat', 'fedora', 'centos', 'scientific', 'oraclelinux', 'ol', 'amzn', 'rhel', 'almalinux', 'openeuler', 'rocky'],
  suse: ['suse', 'sles', 'opensuse', 'opensuse-leap', 'opensuse-tumbleweed'],
  arch: ['arch', 'antergos', 'manjaro'],
};

/** The distribution family from os-release ID, then ID_LIKE. */
export function linuxFamily(release: Record<string, string>): string {
  const candidates = [release.ID ?? '', ...(release.ID_LIKE ?? '').split(/\s+/)].filter((s) => s !== '');
  for (const id of candidates) {
    for (const [family, members] of Object.entries(FAMILIES)) if (members.includes(id)) return family;
  }
  return candidates[0] ?? '';
}

function osInfo(): HostInfo['os'] {
  const kernel = os.release();
  const platform = os.platform();
  if (platform === 'linux') {
    const release = parseOsRelease(readText('/etc/os-release') ?? readText('/usr/lib/os-release') ?? '');
    const codename = release.VERSION_CODENAME;
    return {
      type: 'linux',
      platform: release.ID ?? 'linux',
      family: linuxFamily(release),
      name: release.NAME ?? 'Linux',
      version: release.VERSION ?? release.VERSION_ID ?? '',
      kernel,
      ...(codename === undefined || codename === '' ? {} : { codename }),
    };
  }
  if (platform === 'darwin') {
    return { type: 'macos', platform: 'darwin', family: 'darwin', name: 'macOS', version: os.version(), kernel };
  }
  if (platform === 'win32') {
    return { type: 'windows', platform: 'windows', family: 'windows', name: os.version(), version: kernel, kernel };
  }
  return { type: platform, platform, family: platform, name: os.type(), version: os.version(), kernel };
}

/** ECS wants MACs as upper-case, dash-separated hex (as Beats 8 reports them). */
function formatMac(mac: string): string {
  return mac.toUpperCase().replace(/:/g, '-');
}

/** Addresses and MACs of the non-loopback interfaces, de-duplicated, in interface order. */
export function networkInfo(): { ip: string[]; mac: string[] } {
  const ip = new Set<string>();
  const mac = new Set<string>();
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      ip.add(a.address);
      if (a.mac !== '00:00:00:00:00:00') mac.add(formatMac(a.mac));
    }
  }
  return { ip: [...ip], mac: [...mac] };
}

/** Gathers the host facts once; reads /etc files (cheap, done at processor creation only). */
export function collectHostInfo(): HostInfo {
  const machineId = (readText('/etc/machine-id') ?? readText('/var/lib/dbus/machine-id'))?.trim();
  const { ip, mac } = networkInfo();
  return {
    hostname: os.hostname().toLowerCase(),
    architecture: os.machine(),
    ...(machineId === undefined || machineId === '' ? {} : { id: machineId }),
    os: osInfo(),
    ip,
    mac,
  };
}

/** The `host` object as add_host_metadata adds it. */
export function hostFields(info: HostInfo, netinfo: boolean): EventFields {
  const host: EventFields = {
    hostname: info.hostname,
    name: info.hostname,
    architecture: info.architecture,
    os: { ...info.os },
  };
  if (info.id !== undefined) host.id = info.id;
  if (netinfo) {
    if (info.ip.length > 0) host.ip = [...info.ip];
    if (info.mac.length > 0) host.mac = [...info.mac];
  }
  return host;
}
