import { expect } from 'chai';
import { expectInvalid, holds } from './helpers.js';

const inNet = (ip: unknown, net: unknown): boolean => holds({ network: { 'source.ip': net } }, { source: { ip: ip } });

describe('conditions: network', () => {
  it('matches IPv4 and IPv6 CIDRs (host bits allowed in the CIDR)', () => {
    expect(inNet('10.1.2.3', '10.0.0.0/8')).to.equal(true);
    expect(inNet('11.1.2.3', '10.0.0.0/8')).to.equal(false);
    expect(inNet('192.168.1.200', '192.168.1.5/24')).to.equal(true);
    expect(inNet('2001:db8::1', '2001:db8::/32')).to.equal(true);
    expect(inNet('2001:db9::1', '2001:db8::/32')).to.equal(false);
    expect(inNet('1.2.3.4', '0.0.0.0/0')).to.equal(true);
    expect(inNet('1.2.3.4', '::/0')).to.equal(false);
  });

  it('treats IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(inNet('::ffff:10.1.2.3', '10.0.0.0/8')).to.equal(true);
  });

  it('matches any network of a list', () => {
    expect(inNet('192.168.5.5', ['10.0.0.0/8', '192.168.0.0/16'])).to.equal(true);
    expect(inNet('8.8.8.8', ['10.0.0.0/8', 'loopback'])).to.equal(false);
  });

  it('matches if any IP of an array field does', () => {
    expect(inNet(['8.8.8.8', '10.0.0.1'], 'private')).to.equal(true);
    expect(inNet(['8.8.8.8', '1.1.1.1'], 'private')).to.equal(false);
  });

  it('never matches invalid or missing IPs', () => {
    expect(inNet('not-an-ip', 'public')).to.equal(false);
    expect(inNet('010.1.1.1', 'private')).to.equal(false);
    expect(inNet(167772161, 'private')).to.equal(false);
    expect(holds({ network: { 'source.ip': 'private' } }, {})).to.equal(false);
  });

  it('requires every field to match, nested config included', () => {
    const cond = { network: { source: { ip: 'private' }, destination: { ip: 'public' } } };
    expect(holds(cond, { source: { ip: '10.0.0.1' }, destination: { ip: '8.8.8.8' } })).to.equal(true);
    expect(holds(cond, { source: { ip: '10.0.0.1' }, destination: { ip: '10.0.0.2' } })).to.equal(false);
  });

  describe('named ranges', () => {
    const cases: [string, string[], string[]][] = [
      ['loopback', ['127.0.0.1', '127.255.0.9', '::1'], ['10.0.0.1', '::2']],
      ['unicast', ['8.8.8.8', '10.0.0.1', '2001:db8::1'], ['127.0.0.1', '224.0.0.1', '255.255.255.255', '0.0.0.0', 'fe80::1', 'ff02::1']],
      ['global_unicast', ['8.8.8.8'], ['::1']],
      ['multicast', ['224.0.0.1', '239.1.2.3', 'ff02::1', 'ff0e::1'], ['223.255.255.255', 'fe80::1']],
      ['interface_local_multicast', ['ff01::1', 'ff11::1'], ['ff02::1', '224.0.0.1']],
      ['link_local_unicast', ['169.254.1.1', 'fe80::1', 'febf::1'], ['169.253.1.1', 'fec0::1']],
      ['link_local_multicast', ['224.0.0.251', 'ff02::fb'], ['224.0.1.1', 'ff05::1']],
      ['private', ['10.1.1.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', 'fd00::1'], ['172.32.0.1', '8.8.8.8', 'fc00::1']],
      ['public', ['8.8.8.8', '2001:4860::8888', 'fc00::1'], ['10.0.0.1', '127.0.0.1', '0.0.0.0', '255.255.255.255', '169.254.0.1', '224.0.0.1', 'ff01::1', 'fd00::1']],
      ['unspecified', ['0.0.0.0', '::'], ['0.0.0.1', '::1']],
    ];
    for (const [name, yes, no] of cases) {
      it(name, () => {
        for (const ip of yes) expect(inNet(ip, name), `${ip} in ${name}`).to.equal(true);
        for (const ip of no) expect(inNet(ip, name), `${ip} not in ${name}`).to.equal(false);
      });
    }
  });

  it('rejects bad networks, naming the key', () => {
    const err = expectInvalid({ network: { 'source.ip': 'privat' } }, 'network.source.ip', '"privat"', 'private', 'CIDR');
    expect(err.key).to.equal('network.source.ip');
    expectInvalid({ network: { 'source.ip': '10.0.0.0/33' } }, 'network.source.ip');
    expectInvalid({ network: { 'source.ip': '10.0.0.0' } }, 'network.source.ip');
    expectInvalid({ network: { 'source.ip': ['private', 7] } }, 'network.source.ip.1');
    expectInvalid({ network: { 'source.ip': [] } }, 'network.source.ip');
    expectInvalid({ network: { 'source.ip': 5 } }, 'network.source.ip');
  });
});
