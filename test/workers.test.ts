import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './support/run-process.js';
import { captureOrSkip, replayCapture, type FlatDoc } from './support/capture-run.js';

/** The project's own sample: HTTP on 127.0.0.1:8002 (tools/make-sample-capture.sh). */
const sample = path.join(repoRoot, 'packages/packetbeat/samples/http-sample.pcap');

const protocols = [
  'packetbeat.protocols:',
  '  - type: http',
  '    ports: [80, 8080, 8000, 5000, 8002, 9200]',
  '  - type: dns',
  '    ports: [53]',
  '  - type: redis',
  '    ports: [6379]',
  '  - type: memcache',
  '    ports: [11211]',
  '  - type: icmp',
];

/** A document without what differs from run to run (the agent's ids). */
function canonical(doc: FlatDoc): string {
  const copy: FlatDoc = { ...doc };
  delete copy['agent.ephemeral_id'];
  delete copy['agent.id']; // each replay runs in a fresh home
  return JSON.stringify(Object.keys(copy).sort().map((k) => [k, copy[k]]));
}

async function compare(capture: string): Promise<{ single: FlatDoc[]; sharded: FlatDoc[] }> {
  const single = await replayCapture(capture, [...protocols, 'packetbeat.workers: 1']);
  const sharded = await replayCapture(capture, [...protocols, 'packetbeat.workers: 3']);
  return { single, sharded };
}

/**
 * Interleaves the packets of several Ethernet captures (classic pcap) one
 * by one into a new file, each capture's packets in their order, with
 * timestamps rewritten to rise 100 µs per packet: the protocols'
 * transactions then alternate.
 */
function interleave(files: readonly string[], out: string): void {
  const queues = files.map((file) => {
    const data = fs.readFileSync(file);
    if (data.readUInt32LE(0) !== 0xa1b2c3d4 || data.readUInt32LE(20) !== 1) throw new Error(`${file}: expected a little-endian Ethernet pcap`);
    const records: Buffer[] = [];
    for (let off = 24; off + 16 <= data.length; ) {
      const capLen = data.readUInt32LE(off + 8);
      records.push(data.subarray(off, off + 16 + capLen));
      off += 16 + capLen;
    }
    return records;
  });
  const parts: Buffer[] = [Buffer.from(fs.readFileSync(files[0] as string).subarray(0, 24))];
  let n = 0;
  for (let i = 0; queues.some((q) => i < q.length); i++) {
    for (const q of queues) {
      const record = q[i];
      if (record === undefined) continue;
      const copy = Buffer.from(record);
      const us = 1_000_000_000_000 + 100 * n++;
      copy.writeUInt32LE(Math.floor(us / 1e6), 0);
      copy.writeUInt32LE(us % 1e6, 4);
      parts.push(copy);
    }
  }
  fs.writeFileSync(out, Buffer.concat(parts));
}

describe('packetbeat.workers: connections sharded over worker threads', function () {
  this.timeout(120_000);

  it('the sample: the same documents as one thread; transactions in the same order', async () => {
    const { single, sharded } = await compare(sample);
    expect(single.length).to.be.above(6);
    expect(sharded.map(canonical).sort()).to.deep.equal(single.map(canonical).sort());
    // Events caused by packets keep capture order; only the final flows, all released at the end, may interleave by worker.
    const transactions = (docs: FlatDoc[]): string[] => docs.filter((d) => d['type'] !== 'flow').map(canonical);
    expect(transactions(sharded)).to.deep.equal(transactions(single));
  });

  it("Elastic's captures (HTTP, DNS, Redis, Memcache, ICMP): the same documents with 3 workers as with one", async function () {
    // One or two per protocol, VLANs, IPv6 and a stream gap: each run starts two processes.
    const files = [
      'http_minitwit.pcap',
      'http_over_vlan.pcap',
      'gap_in_stream.pcap',
      'dns_tcp_axfr.pcap',
      'dns_udp_edns_ds.pcap',
      'redis_session.pcap',
      'memcache/memcache_text_tcp_multi_store_load.pcap',
      'memcache/memcache_bin_udp_multi_store.pcap',
      'icmp/icmp_2_pings.pcap',
      'icmp/icmp6_ping_over_vlan.pcap',
    ].map((f) => captureOrSkip(this, f));
    let documents = 0;
    for (const file of files) {
      const { single, sharded } = await compare(file);
      expect(sharded.map(canonical).sort(), path.basename(file)).to.deep.equal(single.map(canonical).sort());
      documents += single.length;
    }
    expect(documents).to.be.above(40);
  });

  it('with processors, fields and tags configured, the coordinator applies them: the same documents as one thread', async () => {
    const configured = [
      ...protocols.slice(0, 3),
      '    fields: {team: web}',
      '    tags: [frontend]',
      '    processors:',
      '      - drop_event.when.equals.http.response.status_code: 404',
      ...protocols.slice(3),
      'fields: {site: lab}',
      'processors:',
      '  - add_tags: {tags: [global]}',
    ];
    const single = await replayCapture(sample, [...configured, 'packetbeat.workers: 1']);
    const sharded = await replayCapture(sample, [...configured, 'packetbeat.workers: 2']);
    expect(single.some((d) => d['fields.team'] === 'web' && Array.isArray(d['tags']) && (d['tags'] as string[]).includes('frontend'))).to.equal(true);
    expect(single.every((d) => d['fields.site'] === 'lab')).to.equal(true);
    expect(sharded.map(canonical).sort()).to.deep.equal(single.map(canonical).sort());
  });

  it('under backpressure (a 2-event queue), 1 and 2 workers write the transactions of several protocols in capture order', async function () {
    const files = [sample, captureOrSkip(this, 'redis_session.pcap'), captureOrSkip(this, 'memcache/memcache_text_tcp_multi_store_load.pcap'), captureOrSkip(this, 'dns_mx.pcap'), captureOrSkip(this, 'http_post.pcap')];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-interleaved-'));
    try {
      const merged = path.join(dir, 'interleaved.pcap');
      interleave(files, merged);
      const tiny = ['queue.mem.events: 2', 'queue.mem.flush.min_events: 1', 'queue.mem.flush.timeout: 0s'];
      const order = (docs: FlatDoc[]): string[] => docs.filter((d) => d['type'] !== 'flow').map(canonical);
      // redis_session.pcap talks to port 6380.
      const withRedis6380 = protocols.map((line) => line.replace('ports: [6379]', 'ports: [6379, 6380]'));
      const neverFull = order(await replayCapture(merged, [...withRedis6380, 'queue.mem.events: 100000', 'packetbeat.workers: 1']));
      const oneWorker = order(await replayCapture(merged, [...withRedis6380, ...tiny, 'packetbeat.workers: 1']));
      const twoWorkers = order(await replayCapture(merged, [...withRedis6380, ...tiny, 'packetbeat.workers: 2']));
      expect(neverFull.length).to.be.above(25);
      expect(new Set(neverFull.map((d) => (JSON.parse(d) as Array<[string, unknown]>).find(([k]) => k === 'type')?.[1])).size).to.be.at.least(3);
      expect(oneWorker).to.deep.equal(neverFull);
      expect(twoWorkers).to.deep.equal(neverFull);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('packetbeat.workers: 0 means one per core; a negative count is a config error', async () => {
    const docs = await replayCapture(sample, [...protocols, 'packetbeat.workers: 0']);
    expect(docs.length).to.be.above(6);
    let err: unknown;
    try {
      await replayCapture(sample, [...protocols, 'packetbeat.workers: -1']);
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/packetbeat\.workers: must be an integer >= 0/);
  });
});
