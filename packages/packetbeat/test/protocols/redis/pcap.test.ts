import { expect } from 'chai';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flattenFields } from '@packetbeat-ts/libbeat';
import { replayCapture } from '../../../src/testing/replay.js';
import { redisPlugin } from '../../../src/protocols/redis/plugin.js';

/** The monorepo root: the nearest directory above this file with a package-lock.json. */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package-lock.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
const repoRoot = findRepoRoot();
const PCAPS = path.resolve(repoRoot, '../shared/pcaps');

function requirePcap(ctx: Mocha.Context, name: string): string {
  const file = path.join(PCAPS, name);
  if (!existsSync(file)) {
    if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`${file} is absent (REQUIRE_LIVE=1)`);
    console.log(`      skipped: ${file} is absent`);
    ctx.skip();
  }
  return file;
}

async function replay(file: string, config: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
  const docs = await replayCapture(redisPlugin, file, { config: { ports: [6380], ...config } });
  return docs.map((d) => flattenFields(d));
}

describe('redis plugin: Elastic captures', () => {
  it('redis_session.pcap: as test_0009_redis expects', async function () {
    const objs = await replay(requirePcap(this, 'redis_session.pcap'));
    expect(objs).to.have.length(11);
    expect(objs.every((o) => o['type'] === 'redis' && o['event.dataset'] === 'redis')).to.equal(true);
    expect(objs[0]).to.include({ method: 'SET', resource: 'key3', query: 'set key3 me', status: 'OK', 'redis.return_value': 'OK' });
    expect(objs[1]).to.include({ method: 'GET', query: 'get key3', status: 'OK', 'redis.return_value': 'me' });
    expect(objs[2]).to.include({ method: 'LLEN', status: 'Error', 'redis.error': 'ERR Operation against a key holding the wrong kind of value' });
    for (const o of objs.slice(3)) {
      expect(o['status']).to.equal('OK');
      expect(o).to.have.property('redis.return_value');
      for (const k of ['method', 'resource', 'query']) expect(o[k]).to.be.a('string');
    }
    for (const o of objs) {
      expect(o['source.bytes']).to.be.a('number').above(0);
      expect(o['destination.bytes']).to.be.a('number').above(0);
      expect(o['network.protocol']).to.equal('redis');
      expect(o['server.port']).to.equal(6380);
    }
    expect(objs.map((o) => `${String(o['query'])} => ${String(o['redis.return_value'] ?? o['redis.error'])}`)).to.deep.equal([
      'set key3 me => OK',
      'get key3 => me',
      'llen key3 => ERR Operation against a key holding the wrong kind of value',
      'lpush test hello => 1',
      'lpush test hello1 => 2',
      'lpush test hello2 => 3',
      'llen test => 3',
      'lindex test 2 => hello',
      'lindex test 3 => nil',
      'lindex test 1 => hello1',
      'lindex test 0 => hello2',
    ]);
    // Wire sizes of the first exchange: `*3 $3 set $4 key3 $2 me` (31 bytes) and `+OK` (5).
    expect(objs[0]).to.include({ 'source.bytes': 31, 'destination.bytes': 5 });
  });

  it('redis_one_transaction.pcap: one LINDEX transaction', async function () {
    const objs = await replay(requirePcap(this, 'redis_one_transaction.pcap'), { send_request: true, send_response: true });
    expect(objs).to.have.length(1);
    expect(objs[0]).to.include({
      type: 'redis',
      status: 'OK',
      method: 'LINDEX',
      resource: 'test',
      query: 'lindex test 1',
      'redis.return_value': 'hello1',
      'source.bytes': 33,
      'destination.bytes': 12,
      request: 'lindex test 1',
      response: 'hello1',
    });
    expect(objs[0]?.['event.duration']).to.equal(466_000);
  });

  it('validates queue_max_bytes / queue_max_messages with the plugin schema', async function () {
    const file = requirePcap(this, 'redis_one_transaction.pcap');
    let error: unknown;
    try {
      await replay(file, { queue_max_messages: -1 });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/queue_max_messages/);
    // A limit of one request still pairs a strictly request/response session.
    expect(await replay(file, { queue_max_messages: 1, queue_max_bytes: 64 })).to.have.length(1);
  });
});
