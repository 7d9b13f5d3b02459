import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { EsTestServer } from '@packetbeat-ts/libbeat/testing';
import { counterBeatScript, freePort, run, start, tempDir, writeConfig } from './support/run-process.js';

/** The `counter` field of every document the server stored, in no particular order. */
function storedCounters(es: EsTestServer): number[] {
  return [...es.docs.keys()].flatMap((index) => es.sources(index).map((d) => d['counter'] as number));
}

function occurrences(values: readonly number[]): Map<number, number> {
  const seen = new Map<number, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  return seen;
}

describe('queue.disk end to end (a beat built on libbeat, killed and restarted)', function () {
  this.timeout(90_000);
  let dir: string;
  let es: EsTestServer;
  beforeEach(async () => {
    dir = tempDir('beat-diskq-');
    es = await EsTestServer.start();
  });
  afterEach(async () => {
    await es.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const config = (hosts: string, extra: string[] = []): void =>
    void writeConfig(
      dir,
      'counterbeat.yml',
      [
        'queue.disk:',
        '  max_size: 200MB',
        '  segment_size: 1MB',
        'output.elasticsearch:',
        `  hosts: ["${hosts}"]`,
        '  bulk_max_size: 100',
        '  backoff.init: 50ms',
        '  backoff.max: 200ms',
        'logging.to_files: false',
        'logging.metrics.enabled: false',
        ...extra,
      ].join('\n'),
    );

  it('SIGKILL mid-stream, then a restart: every event arrives, none acknowledged is sent twice, the queue ends empty', async () => {
    const N = 5000;
    config(es.url);
    // A slow Elasticsearch, so the kill lands while most events are still queued on disk.
    es.delayNextResponses(10_000, 25);
    const first = start(counterBeatScript, ['--path.home', dir, '-e', '-E', `counter.events=${N}`]);
    await first.waitForStderr(`counterbeat: published ${N}`);
    const deadline = Date.now() + 30_000;
    while (es.count() < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).to.equal('SIGKILL');
    const beforeRestart = es.count();
    expect(beforeRestart, first.stderr).to.be.within(500, N - 1);
    const queueDir = path.join(dir, 'data', 'diskqueue');
    expect(fs.readdirSync(queueDir).filter((f) => f.endsWith('.seg')).length).to.be.above(0);

    // The restart publishes nothing new: it only delivers what the disk queue kept, then exits.
    const second = await run(counterBeatScript, ['--path.home', dir, '-e', '-E', 'counter.events=0', '-E', 'counter.exit_when_done=true']);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stderr).to.match(/disk queue: \d+ events from an earlier run are waiting/);

    const counters = storedCounters(es);
    const seen = occurrences(counters);
    // Nothing lost...
    expect([...seen.keys()].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: N }, (_, i) => i));
    // ...and what was sent twice is at most what was in flight at the kill: each such event once more.
    const twice = [...seen.values()].filter((n) => n > 1);
    expect(twice.every((n) => n === 2)).to.equal(true);
    expect(twice.length).to.be.at.most(100);
    // Everything acknowledged: the segments are gone, the saved position is past the last event.
    expect(fs.readdirSync(queueDir).filter((f) => f.endsWith('.seg'))).to.deep.equal([]);
    expect(JSON.parse(fs.readFileSync(path.join(queueDir, 'state.json'), 'utf8'))).to.include({ ackedFrames: N });
  });

  it('an output that is down for the whole run: events wait on disk through a shutdown and go out at the next start', async () => {
    const N = 2000;
    const closedPort = await freePort();
    config(`http://127.0.0.1:${closedPort}`, ['counter.shutdown_timeout: 1s']);
    const first = start(counterBeatScript, ['--path.home', dir, '-e', '-E', `counter.events=${N}`]);
    await first.waitForStderr(`counterbeat: published ${N}`);
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).to.equal(0);
    expect(stopped.stderr).to.include(`disk queue: ${N} events stay in`);
    expect(stopped.stderr).to.match(/counterbeat stopped\t\{"acked":0,"dropped":0\}/);

    config(es.url);
    const second = await run(counterBeatScript, ['--path.home', dir, '-e', '-E', 'counter.events=0', '-E', 'counter.exit_when_done=true']);
    expect(second.code, second.stderr).to.equal(0);
    expect(storedCounters(es).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: N }, (_, i) => i));
  });

  it('a bad queue config exits 1 naming the key: both queue types, or a size that is not one', async () => {
    writeConfig(dir, 'counterbeat.yml', ['queue.mem.events: 100', 'queue.disk.max_size: 1GB', 'output.discard: {}', 'logging.to_files: false'].join('\n'));
    const both = await run(counterBeatScript, ['--path.home', dir, '-e']);
    expect(both.code).to.equal(1);
    expect(both.stderr).to.match(/counterbeat\.yml: queue: only one queue type can be configured, found queue\.mem and queue\.disk/);

    writeConfig(dir, 'counterbeat.yml', ['queue.disk.max_size: 10XB', 'output.discard: {}', 'logging.to_files: false'].join('\n'));
    const size = await run(counterBeatScript, ['--path.home', dir, '-e']);
    expect(size.code).to.equal(1);
    expect(size.stderr).to.match(/queue\.disk\.max_size: must be a size such as 10GB/);
  });
});
