import { expect } from 'chai';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { icmpPlugin } from '../../../src/protocols/icmp/plugin.js';
import { resolveIcmpConfig } from '../../../src/protocols/icmp/config.js';
import { replayCapture } from '../../../src/testing/replay.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../../../../..') : path.resolve(here, '../../../../..');
const PCAP = path.resolve(repoRoot, '../shared/pcaps/icmp/icmp4_ping.pcap');

describe('icmp plugin: options', () => {
  it('declares Packetbeat’s shape: icmp transport, no ports', () => {
    expect(icmpPlugin.name).to.equal('icmp');
    expect(icmpPlugin.transports).to.deep.equal(['icmp']);
    expect(icmpPlugin.defaultPorts).to.deep.equal([]);
  });

  it('resolves defaults: 10s timeout, 65536 waiting requests', () => {
    expect(resolveIcmpConfig({})).to.deep.equal({ maxPending: 65_536, transactionTimeoutUs: 10_000_000 });
    expect(resolveIcmpConfig({ transaction_timeout: 1_500, max_pending_requests: 10 })).to.deep.equal({ maxPending: 10, transactionTimeoutUs: 1_500_000 });
  });

  describe('through the loader', function () {
    before(function () {
      if (!existsSync(PCAP)) {
        if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`${PCAP} is absent (REQUIRE_LIVE=1)`);
        console.log(`    (skipped: ${PCAP} is absent)`);
        this.skip();
      }
    });

    it('accepts transaction_timeout as a duration and max_pending_requests', async () => {
      const docs = await replayCapture(icmpPlugin, PCAP, { config: { transaction_timeout: '2s', max_pending_requests: 5 } });
      expect(docs).to.have.length(1);
    });

    it('rejects a bad max_pending_requests with BEAT_ERR_CONFIG_INVALID', async () => {
      let error: unknown;
      try {
        await replayCapture(icmpPlugin, PCAP, { config: { max_pending_requests: 0 } });
      } catch (err) {
        error = err;
      }
      expect((error as { code?: string } | undefined)?.code).to.equal('BEAT_ERR_CONFIG_INVALID');
      expect(String(error)).to.contain('max_pending_requests');
    });

    it('enabled: false gives no documents', async () => {
      expect(await replayCapture(icmpPlugin, PCAP, { config: { enabled: false } })).to.deep.equal([]);
    });
  });
});
