import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { ErrorCodes, LogManager, flattenFields, isBeatError, type BeatError } from '@packetbeat-ts/libbeat';
import { defineProtocol, type ProtocolPlugin } from '@packetbeat-ts/protocol-sdk';
import { replayCapture } from '../../src/index.js';
import { httpPlugin } from '../../src/protocols/http/plugin.js';
import { loadProtocols } from '../../src/protocols/loader.js';
import { ProtocolRegistry } from '../../src/protocols/registry.js';

const PCAP = '/work/shared/pcaps/http_basicauth.pcap';
const GOLDEN = '/work/shared/golden/http_basic_auth-expected.json';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** The error the loader itself gives for the same item. */
async function loaderError(plugin: ProtocolPlugin, item: Record<string, unknown>): Promise<unknown> {
  const logs = new LogManager(undefined, { stderrWrite: () => undefined });
  const beat = { beat: 'packetbeat', name: 'h', version: '0', id: 'i', ephemeralId: 'e', hostname: 'h', startTime: new Date(0) };
  return rejection(
    loadProtocols([{ type: plugin.name, ...item }], {
      processorContext: { beat, logger: logs.logger('processors') },
      registry: new ProtocolRegistry([plugin]),
      extraResolveDirs: [],
    }),
  );
}

describe('testing: replayCapture', function () {
  before(function () {
    if (!existsSync(PCAP)) {
      console.log(`    (skipped: ${PCAP} is absent)`);
      this.skip();
    }
  });

  it('replays http_basicauth.pcap through the HTTP plugin into the one HTTP document', async () => {
    const docs = await replayCapture(httpPlugin, PCAP, { config: { ports: [80] } });
    expect(docs).to.have.length(1);
    const doc = flattenFields(docs[0] ?? {});
    expect(doc['@timestamp']).to.be.a('string').and.match(/^2015-02-18T00:13:09\.\d{3}Z$/);
    expect(doc['type']).to.equal('http');
    expect(doc['status']).to.equal('OK');
    expect(doc['method']).to.equal('GET');
    expect(doc['query']).to.equal('GET /');
    expect(doc['http.response.status_code']).to.equal(200);
    expect(doc['url.full']).to.equal('http://www.example.com/');
    expect(doc['client.ip']).to.equal('172.31.98.49');
    expect(doc['server.port']).to.equal(80);
    expect(doc['event.duration']).to.equal(18_341_000);
    expect(doc['network.community_id']).to.equal('1:TMPM5eEnGOXfxAjx6NKlyjx+X10=');
    expect(doc['request']).to.equal(undefined);
  });

  it('matches every field of the golden document when the settings match the golden run', async function () {
    if (!existsSync(GOLDEN)) this.skip();
    const golden = (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, unknown>[]).find((d) => d['type'] === 'http');
    if (golden === undefined) throw new Error('no http document in the golden file');
    const docs = await replayCapture(httpPlugin, PCAP, { config: { ports: [80], send_all_headers: true } });
    expect(docs).to.have.length(1);
    const doc = flattenFields(docs[0] ?? {});
    const got = Object.fromEntries(Object.keys(golden).map((k) => [k, doc[k]]));
    expect(got).to.deep.equal(golden);
  });

  it('applies the item settings: send_request, tags, fields and processors', async () => {
    const docs = await replayCapture(httpPlugin, PCAP, {
      config: { ports: [80], send_request: true, tags: ['t1'], fields: { env: 'test' }, processors: [{ drop_fields: { fields: ['user_agent'] } }] },
    });
    expect(docs).to.have.length(1);
    const doc = docs[0] ?? {};
    expect(doc['request']).to.be.a('string').and.match(/^GET \/ HTTP\/1\.1\r\n/);
    expect(doc['tags']).to.deep.equal(['t1']);
    expect(doc['fields']).to.deep.equal({ env: 'test' });
    expect(doc['user_agent']).to.equal(undefined);
  });

  it('gives nothing for a port the traffic is not on, and nothing when disabled', async () => {
    expect(await replayCapture(httpPlugin, PCAP, { config: { ports: [8080] } })).to.deep.equal([]);
    expect(await replayCapture(httpPlugin, PCAP, { config: { ports: [80], enabled: false } })).to.deep.equal([]);
  });

  it('throws the loader’s BeatError on a bad config', async () => {
    for (const config of [{ ports: ['http'] }, { ports: [80], max_message_size: -5 }, { ports: [80], send_request: 'maybe' }]) {
      const err = await rejection(replayCapture(httpPlugin, PCAP, { config }));
      const expected = await loaderError(httpPlugin, config);
      expect(isBeatError(err), String(err)).to.equal(true);
      expect((err as BeatError).code).to.equal(ErrorCodes.CONFIG_INVALID);
      expect((err as BeatError).message).to.equal((expected as BeatError).message);
      expect((err as BeatError).message).to.match(/^packetbeat\.protocols\.0\./);
    }
  });

  it('refuses a plugin the loader would refuse (SDK version range)', async () => {
    const future = defineProtocol({ name: 'future', sdkVersion: '^99.0.0', transports: ['tcp'], defaultPorts: [9], create: () => ({}) });
    const err = await rejection(replayCapture(future, PCAP));
    expect(isBeatError(err)).to.equal(true);
    expect(String((err as Error).message)).to.match(/needs protocol SDK \^99\.0\.0/);
  });

  it('throws the capture reader’s error for a file that is not a capture', async () => {
    const err = await rejection(replayCapture(httpPlugin, GOLDEN, { config: { ports: [80] } }));
    expect(isBeatError(err)).to.equal(true);
  });
});
