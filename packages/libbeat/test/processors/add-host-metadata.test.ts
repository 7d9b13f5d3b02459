import { expect } from 'chai';
import * as os from 'node:os';
import { ErrorCodes } from '../../src/errors.js';
import { makeAddHostMetadataFactory } from '../../src/processors/add-host-metadata.js';
import { linuxFamily, parseOsRelease, type HostInfo } from '../../src/processors/host-info.js';
import { ProcessorRegistry } from '../../src/processors/registry.js';
import { createProcessors } from '../../src/processors/create.js';
import { build, ev, expectBeatError, makeCtx, runOne } from './helpers.js';

const INFO: HostInfo = {
  hostname: 'web-01',
  architecture: 'x86_64',
  id: 'abc123',
  os: { type: 'linux', platform: 'debian', family: 'debian', name: 'Debian GNU/Linux', version: '12 (bookworm)', kernel: '6.1.0', codename: 'bookworm' },
  ip: ['10.0.0.5', 'fe80::1'],
  mac: ['02-42-AC-11-00-02'],
};

describe('processors: add_host_metadata', () => {
  let calls = 0;
  const registry = new ProcessorRegistry([
    makeAddHostMetadataFactory(() => {
      calls++;
      return INFO;
    }),
  ]);
  const make = (settings: Record<string, unknown> = {}) => {
    const [p] = createProcessors([{ add_host_metadata: settings }], makeCtx(), registry);
    if (p === undefined) throw new Error('not built');
    return p;
  };

  it('adds host.* facts, gathered once at creation', () => {
    calls = 0;
    const p = make();
    expect(calls).to.equal(1);
    const out = runOne(p, ev({ a: 1 }));
    runOne(p, ev());
    expect(calls).to.equal(1);
    expect(out.fields).to.deep.equal({
      a: 1,
      host: {
        hostname: 'web-01',
        name: 'web-01',
        architecture: 'x86_64',
        id: 'abc123',
        os: INFO.os,
        ip: ['10.0.0.5', 'fe80::1'],
        mac: ['02-42-AC-11-00-02'],
      },
    });
  });

  it('omits host.ip and host.mac with netinfo.enabled: false (dotted or nested)', () => {
    for (const settings of [{ 'netinfo.enabled': false }, { netinfo: { enabled: false } }]) {
      const host = runOne(make(settings), ev()).fields.host as Record<string, unknown>;
      expect(host).to.not.have.any.keys('ip', 'mac');
      expect(host.hostname).to.equal('web-01');
    }
  });

  it('replaces existing host fields by default, or keeps them with replace_fields: false', () => {
    const existing = { host: { name: 'other', ip: ['1.1.1.1'] } };
    expect((runOne(make(), ev(existing)).fields.host as Record<string, unknown>).name).to.equal('web-01');
    expect(runOne(make({ replace_fields: false }), ev(existing)).fields).to.deep.equal(existing);
    // host.name alone (as set by the pipeline) does not count as existing host fields.
    expect((runOne(make({ replace_fields: false }), ev({ host: { name: 'x' } })).fields.host as Record<string, unknown>).id).to.equal('abc123');
  });

  it('supports name and geo settings', () => {
    const out = runOne(make({ name: 'custom', geo: { name: 'nyc-dc1', location: '40.7128, -74.0060', city_name: 'New York' } }), ev());
    const host = out.fields.host as Record<string, unknown>;
    expect(host.name).to.equal('custom');
    expect(host.geo).to.deep.equal({ name: 'nyc-dc1', location: '40.7128, -74.0060', city_name: 'New York' });
  });

  it('does not share data between events', () => {
    const p = make();
    ((runOne(p, ev()).fields.host as Record<string, unknown>).ip as string[]).push('x');
    expect((runOne(p, ev()).fields.host as Record<string, unknown>).ip).to.deep.equal(['10.0.0.5', 'fe80::1']);
  });

  it('validates its settings', () => {
    expectBeatError(() => make({ 'netinfo.enabled': 'maybe' }), ErrorCodes.PROCESSOR_INVALID, 'netinfo.enabled');
    expectBeatError(() => make({ geo: { location: 'somewhere' } }), ErrorCodes.PROCESSOR_INVALID, 'geo.location');
    expectBeatError(() => make({ geo: { planet: 'earth' } }), ErrorCodes.PROCESSOR_INVALID, 'geo.planet');
  });

  it('reads the real host with the built-in factory', () => {
    const host = runOne(build('add_host_metadata'), ev()).fields.host as Record<string, unknown>;
    expect(host.hostname).to.equal(os.hostname().toLowerCase());
    expect(host.architecture).to.equal(os.machine());
    expect((host.os as Record<string, unknown>).kernel).to.equal(os.release());
    expect(host).to.include.keys('name', 'os');
  });

  it('parses os-release and maps distribution families', () => {
    const release = parseOsRelease('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\n# comment\n');
    expect(release).to.deep.equal({ NAME: 'Ubuntu', ID: 'ubuntu', ID_LIKE: 'debian', VERSION: '22.04.3 LTS (Jammy Jellyfish)' });
    expect(linuxFamily(release)).to.equal('debian');
    expect(linuxFamily({ ID: 'rocky', ID_LIKE: 'rhel centos fedora' })).to.equal('redhat');
    expect(linuxFamily({ ID: 'pop', ID_LIKE: 'ubuntu debian' })).to.equal('debian');
    expect(linuxFamily({ ID: 'alpine' })).to.equal('alpine');
  });
});
