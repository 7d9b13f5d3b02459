import { expect } from 'chai';
import { deleteField, putField } from '../../src/common/fields.js';
import { parseIP } from '../../src/conditions/ip.js';
import { ErrorCodes } from '../../src/errors.js';
import { communityId } from '../../src/processors/community-id.js';
import { build, ev, expectBeatError, runOne } from './helpers.js';

const ip = (text: string): Uint8Array => {
  const b = parseIP(text);
  if (b === null) throw new Error(`bad ip ${text}`);
  return b;
};

interface Vector {
  proto: number;
  saddr: string;
  daddr: string;
  sport?: number;
  dport?: number;
  seed0: string;
  seed1: string;
}

// corelight/community-id-spec baseline/README.md tables (default and seed=1).
// For ICMP, sport/dport are the message type and code.
const SPEC_TABLE: Vector[] = [
  { proto: 6, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1122, dport: 3344, seed0: '1:wCb3OG7yAFWelaUydu0D+125CLM=', seed1: '1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=' },
  { proto: 6, saddr: '5.6.7.8', daddr: '1.2.3.4', sport: 3344, dport: 1122, seed0: '1:wCb3OG7yAFWelaUydu0D+125CLM=', seed1: '1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=' },
  { proto: 17, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1122, dport: 3344, seed0: '1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=', seed1: '1:OShq+iKDAMVouh/4bMxB9Sz4amw=' },
  { proto: 17, saddr: '5.6.7.8', daddr: '1.2.3.4', sport: 3344, dport: 1122, seed0: '1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=', seed1: '1:OShq+iKDAMVouh/4bMxB9Sz4amw=' },
  { proto: 132, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1122, dport: 3344, seed0: '1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=', seed1: '1:uitchpn5MMGAQKBJh7bIr/bAr7s=' },
  { proto: 132, saddr: '5.6.7.8', daddr: '1.2.3.4', sport: 3344, dport: 1122, seed0: '1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=', seed1: '1:uitchpn5MMGAQKBJh7bIr/bAr7s=' },
  { proto: 1, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 8, dport: 0, seed0: '1:crodRHL2FEsHjbv3UkRrfbs4bZ0=', seed1: '1:9pr4ZGTICiuZoIh90RRYE2RyXpU=' },
  { proto: 1, saddr: '5.6.7.8', daddr: '1.2.3.4', sport: 0, dport: 0, seed0: '1:crodRHL2FEsHjbv3UkRrfbs4bZ0=', seed1: '1:9pr4ZGTICiuZoIh90RRYE2RyXpU=' },
  { proto: 1, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 11, dport: 0, seed0: '1:f/YiSyWqczrTgfUCZlBUnvHRcPk=', seed1: '1:1DD7cWGC/Yg91YGsQeni8du3pIA=' },
  { proto: 58, saddr: 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', daddr: 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', sport: 128, dport: 0, seed0: '1:0bf7hyMJUwt3fMED7z8LIfRpBeo=', seed1: '1:IO27GQzPuCtNnwFvjWALMHu5tJE=' },
  { proto: 58, saddr: 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', daddr: 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', sport: 129, dport: 0, seed0: '1:0bf7hyMJUwt3fMED7z8LIfRpBeo=', seed1: '1:IO27GQzPuCtNnwFvjWALMHu5tJE=' },
  { proto: 58, saddr: 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', daddr: 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', sport: 146, dport: 0, seed0: '1:fYC8+pz24E+EhANP1EZhpX0Dw10=', seed1: '1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=' },
  { proto: 46, saddr: '1.2.3.4', daddr: '5.6.7.8', seed0: '1:ikv3kmf89luf73WPz1jOs49S768=', seed1: '1:/buhqeOmaRCopOZFy9HnoJd5XW8=' },
  { proto: 46, saddr: '5.6.7.8', daddr: '1.2.3.4', seed0: '1:ikv3kmf89luf73WPz1jOs49S768=', seed1: '1:/buhqeOmaRCopOZFy9HnoJd5XW8=' },
  { proto: 46, saddr: 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', daddr: 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', seed0: '1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=', seed1: '1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=' },
  { proto: 46, saddr: 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', daddr: 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', seed0: '1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=', seed1: '1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=' },
];

// A selection of baseline_deflt.json / baseline_seed1.json (flows from the spec's pcaps). For ICMP
// with a counter-type the JSON lists it as dport, so the code used here is 0.
const SPEC_PCAPS: Vector[] = [
  { proto: 6, saddr: '128.232.110.120', daddr: '66.35.250.204', sport: 34855, dport: 80, seed0: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', seed1: '1:3V71V58M3Ksw/yuFALMcW0LAHvc=' },
  { proto: 6, saddr: '66.35.250.204', daddr: '128.232.110.120', sport: 80, dport: 34855, seed0: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', seed1: '1:3V71V58M3Ksw/yuFALMcW0LAHvc=' },
  { proto: 6, saddr: '2001:470:e5bf:dead:4957:2174:e82c:4887', daddr: '2607:f8b0:400c:c03::1a', sport: 63943, dport: 25, seed0: '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', seed1: '1:eJYTW6AOzFLlSUoESovMjnu7rMw=' },
  { proto: 17, saddr: '192.168.1.52', daddr: '8.8.8.8', sport: 54585, dport: 53, seed0: '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', seed1: '1:Q9We8WO3piVF8yEQBNJF4uiSVrI=' },
  { proto: 132, saddr: '192.168.170.56', daddr: '192.168.170.8', sport: 7, dport: 7, seed0: '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', seed1: '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=' },
  { proto: 1, saddr: '192.168.0.89', daddr: '192.168.0.1', sport: 8, dport: 0, seed0: '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', seed1: '1:03g6IloqVBdcZlPyX8r0hgoE7kA=' },
  { proto: 1, saddr: '192.168.0.1', daddr: '192.168.0.89', sport: 0, dport: 0, seed0: '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', seed1: '1:03g6IloqVBdcZlPyX8r0hgoE7kA=' },
  { proto: 1, saddr: '10.0.0.1', daddr: '10.0.0.2', sport: 11, dport: 0, seed0: '1:YHxtAirCG//0OzkcVAukqKQN9xM=', seed1: '1:XjUibYHaafLQ3pxQeiMI8g25q20=' },
  { proto: 58, saddr: 'fe80::200:86ff:fe05:80da', daddr: 'fe80::260:97ff:fe07:69ea', sport: 135, dport: 0, seed0: '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', seed1: '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=' },
  { proto: 58, saddr: 'fe80::260:97ff:fe07:69ea', daddr: 'fe80::200:86ff:fe05:80da', sport: 136, dport: 0, seed0: '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', seed1: '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=' },
  { proto: 58, saddr: '3ffe:501:1800:2345::2', daddr: '3ffe:507:0:1:200:86ff:fe05:80da', sport: 3, dport: 0, seed0: '1:2ObVBgIn28oZvibYZhZMBgh7WdQ=', seed1: '1:lVEtCZpYu84Xqaa++3lXFyuu2n4=' },
  { proto: 58, saddr: '3ffe:501:410:0:2c0:dfff:fe47:33e', daddr: '3ffe:507:0:1:200:86ff:fe05:80da', sport: 1, dport: 4, seed0: '1:hLZd0XGWojozrvxqE0dWB1iM6R0=', seed1: '1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=' },
  { proto: 58, saddr: '3ffe:507:0:1:200:86ff:fe05:80da', daddr: '3ffe:501:0:1001::2', sport: 128, dport: 0, seed0: '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', seed1: '1:GfZxjAkDk2MkegpBYHV6tadtFXQ=' },
  { proto: 58, saddr: 'fe80::200:86ff:fe05:80da', daddr: 'ff02::2', sport: 133, dport: 0, seed0: '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=', seed1: '1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=' },
  { proto: 58, saddr: 'fe80::260:97ff:fe07:69ea', daddr: 'ff02::1', sport: 134, dport: 0, seed0: '1:pkvHqCL88/tg1k4cPigmZXUtL00=', seed1: '1:K/ee5UCqAMAQXDorP5nSa2CGLjc=' },
  { proto: 46, saddr: '10.1.12.2', daddr: '10.1.12.1', seed0: '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', seed1: '1:rYir8gphR31noO9iDRQmF/BteEI=' },
];

function flowOf(v: Vector): Parameters<typeof communityId>[0] {
  const icmp = v.proto === 1 || v.proto === 58;
  return {
    sourceIP: ip(v.saddr),
    destinationIP: ip(v.daddr),
    protocol: v.proto,
    ...(icmp ? { icmpType: v.sport ?? 0, icmpCode: v.dport ?? 0 } : { sourcePort: v.sport ?? 0, destinationPort: v.dport ?? 0 }),
  };
}

describe('processors: community_id', () => {
  describe('Community ID v1 against the spec baseline', () => {
    for (const [name, table] of [
      ['README tables', SPEC_TABLE],
      ['pcap baseline', SPEC_PCAPS],
    ] as const) {
      it(`${name}: seed 0 and seed 1`, () => {
        for (const v of table) {
          const label = `${v.proto} ${v.saddr} ${v.daddr} ${v.sport ?? '-'} ${v.dport ?? '-'}`;
          expect(communityId(flowOf(v)), label).to.equal(v.seed0);
          expect(communityId(flowOf(v), 1), `${label} seed 1`).to.equal(v.seed1);
        }
      });
    }
  });

  const flowEvent = (): Record<string, unknown> => ({
    source: { ip: '128.232.110.120', port: 34855 },
    destination: { ip: '66.35.250.204', port: 80 },
    network: { transport: 'TCP' },
  });
  const idOf = (fields: Record<string, unknown>, settings: Record<string, unknown> = {}): unknown => {
    const out = runOne(build('community_id', settings), ev(fields));
    return (out.fields.network as Record<string, unknown> | undefined)?.community_id;
  };

  it('computes network.community_id from ECS fields (Beats test cases)', () => {
    expect(idOf(flowEvent())).to.equal('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(idOf(flowEvent(), { seed: 123 })).to.equal('1:hTSGlFQnR58UCk+NfKRZzA32dPg=');
  });

  it('handles ICMP with and without type/code, and protocols without ports', () => {
    expect(idOf({ ...flowEvent(), network: { transport: 'icmp' }, icmp: { type: 3, code: 3 } })).to.equal('1:KF3iG9XD24nhlSy4r1TcYIr5mfE=');
    expect(idOf({ ...flowEvent(), network: { transport: 'icmp' } })).to.equal('1:PAE85ZfR4SbNXl5URZwWYyDehwU=');
    const noPorts = { source: { ip: '128.232.110.120' }, destination: { ip: '66.35.250.204' } };
    expect(idOf({ ...noPorts, network: { transport: 'igmp' } })).to.equal('1:D3t8Q1aFA6Ev0A/AO4i9PnU3AeI=');
    expect(idOf({ ...noPorts, network: { transport: '2' } })).to.equal('1:D3t8Q1aFA6Ev0A/AO4i9PnU3AeI=');
    expect(idOf({ ...noPorts, network: { transport: 2 } })).to.equal('1:D3t8Q1aFA6Ev0A/AO4i9PnU3AeI=');
  });

  it('prefers network.iana_number over network.transport, and accepts string ports', () => {
    expect(idOf({ ...flowEvent(), network: { transport: 'udp', iana_number: '6' } })).to.equal('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(idOf({ ...flowEvent(), source: { ip: '128.232.110.120', port: '34855' } })).to.equal('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
  });

  it('adds nothing for incomplete or invalid flows', () => {
    const cases: [string, unknown][] = [
      ['source.ip', 2162716280],
      ['source.port', 0],
      ['destination.port', 65536],
      ['destination.ip', '308.111.1.2.3'],
      ['source.port', null],
      ['source.port', -1],
      ['network.transport', 'xyz'],
      ['network', undefined],
    ];
    for (const [path, value] of cases) {
      const fields = flowEvent();
      if (value === undefined) deleteField(fields, path);
      else putField(fields, path, value);
      expect(idOf(fields), `${path}=${String(value)}`).to.equal(undefined);
    }
  });

  it('keeps an existing id and honours custom fields and target', () => {
    expect(idOf({ ...flowEvent(), network: { transport: 'tcp', community_id: 'preset' } })).to.equal('preset');
    const custom = { a: '128.232.110.120', b: '66.35.250.204', p1: 34855, p2: 80, proto: 6 };
    const out = runOne(
      build('community_id', {
        fields: { source_ip: 'a', destination_ip: 'b', source_port: 'p1', destination_port: 'p2', iana_number: 'proto' },
        target: 'flow.cid',
      }),
      ev(custom),
    );
    expect(out.fields.flow).to.deep.equal({ cid: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=' });
  });

  it('validates the seed', () => {
    expectBeatError(() => build('community_id', { seed: 70000 }), ErrorCodes.PROCESSOR_INVALID, 'seed');
    expectBeatError(() => build('community_id', { seed: 'x' }), ErrorCodes.PROCESSOR_INVALID, 'seed');
  });
});
