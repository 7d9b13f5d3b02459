import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { counterBeatScript, freePort, readNdjson, start, tempDir, writeConfig } from './support/run-process.js';

/**
 * Config for the counter beat: by default events stay queued (no flush)
 * until shutdown. `settings` override the defaults key by key.
 */
function config(dir: string, settings: Record<string, string>): string {
  const all: Record<string, string> = {
    'output.file.path': '${path.home}/out',
    'output.file.filename': 'events',
    'queue.mem.events': '4096',
    'queue.mem.flush.min_events': '4096',
    'queue.mem.flush.timeout': '60s',
    'logging.to_files': 'false',
    'logging.metrics.enabled': 'false',
    name: 'lifecycle-test',
    ...settings,
  };
  return writeConfig(dir, 'counterbeat.yml', Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\n'));
}

describe('beat lifecycle (a beat built on libbeat, run as a process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('beat-life-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('SIGTERM stops in order and delivers every queued event before exiting 0', async () => {
    config(dir, {
      'counter.events': '1000',
      fields: '{team: net}',
      tags: '[lab]',
      processors: '[{add_fields: {target: probe, fields: {site: paris}}}, {drop_fields: {fields: [counter], when.equals.counter: 999}}]',
    });
    const beat = start(counterBeatScript, ['--path.home', dir, '-e']);
    await beat.waitForStderr('counterbeat: published 1000');
    // Nothing has been flushed yet: flush.min_events is larger than what was published.
    expect(readNdjson(path.join(dir, 'out'))).to.have.length(0);
    beat.child.kill('SIGTERM');
    const result = await beat.done;
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.include('received SIGTERM, stopping');
    expect(result.stderr).to.match(/counterbeat stopped\t\{"acked":1000,"dropped":0\}/);

    const docs = readNdjson(path.join(dir, 'out'));
    expect(docs).to.have.length(1000);
    expect(docs.map((d) => d['message'])).to.deep.equal(Array.from({ length: 1000 }, (_, i) => `event ${i}`));
    const first = docs[0] as Record<string, Record<string, unknown>>;
    expect(first['@timestamp']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first['@metadata']).to.deep.equal({ beat: 'counterbeat', type: '_doc', version: '0.0.1' });
    expect(first['agent']).to.include({ type: 'counterbeat', name: 'lifecycle-test', version: '0.0.1' });
    expect(first['agent']?.['id']).to.be.a('string');
    expect(first['ecs']).to.deep.equal({ version: '8.0.0' });
    expect(first['host']).to.deep.equal({ name: 'lifecycle-test' });
    expect(first['fields']).to.deep.equal({ team: 'net' });
    expect(first['tags']).to.deep.equal(['lab']);
    expect(first['probe']).to.deep.equal({ site: 'paris' });
    expect(docs[999]?.['counter']).to.equal(undefined);
    expect(docs[998]?.['counter']).to.equal(998);
  });

  it('a beat that finishes by itself exits once the output has every event it published', async () => {
    // flush.min_events (4096) is never reached and flush.timeout is 60 s: only the drain delivers them.
    config(dir, { 'counter.events': '2500', 'counter.exit_when_done': 'true' });
    const started = Date.now();
    const result = await start(counterBeatScript, ['--path.home', dir, '-e']).done;
    expect(result.code, result.stderr).to.equal(0);
    expect(Date.now() - started).to.be.lessThan(30_000);
    expect(result.stderr).to.match(/counterbeat stopped\t\{"acked":2500,"dropped":0\}/);
    expect(readNdjson(path.join(dir, 'out'))).to.have.length(2500);
  });

  it('keeps agent.id across restarts (path.data/meta.json) and changes the ephemeral id', async () => {
    config(dir, { 'counter.events': '1' });
    const ids: Array<[unknown, unknown]> = [];
    for (let i = 0; i < 2; i++) {
      const beat = start(counterBeatScript, ['--path.home', dir, '-e']);
      await beat.waitForStderr('published 1');
      beat.child.kill('SIGINT');
      expect((await beat.done).code).to.equal(0);
      const docs = readNdjson(path.join(dir, 'out'));
      fs.rmSync(path.join(dir, 'out'), { recursive: true });
      expect(docs).to.have.length(1);
      const agent = docs[0]?.['agent'] as Record<string, unknown>;
      ids.push([agent['id'], agent['ephemeral_id']]);
    }
    expect(ids[0]?.[0]).to.equal(ids[1]?.[0]);
    expect(ids[0]?.[1]).to.not.equal(ids[1]?.[1]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'data', 'meta.json'), 'utf8'))).to.have.property('uuid', ids[0]?.[0]);
  });

  it('serves /, /stats and /state over HTTP while running, with exact pipeline counts', async () => {
    const port = await freePort();
    config(dir, {
      'counter.events': '300',
      'http.enabled': 'true',
      'http.host': '127.0.0.1',
      'http.port': String(port),
      'queue.mem.flush.min_events': '100',
      'queue.mem.flush.timeout': '50ms',
    });
    const beat = start(counterBeatScript, ['--path.home', dir, '-e']);
    try {
      await beat.waitForStderr('published 300');
      const base = `http://127.0.0.1:${port}`;
      const info = (await (await fetch(`${base}/`)).json()) as Record<string, unknown>;
      expect(info).to.include({ beat: 'counterbeat', name: 'lifecycle-test', version: '0.0.1' });
      // The queue hands out batches within 50 ms: wait until the output acknowledged all of them.
      let stats: { libbeat: { pipeline: { events: Record<string, number> }; output: { events: Record<string, number>; type: string } } } | undefined;
      for (let i = 0; i < 100; i++) {
        stats = (await (await fetch(`${base}/stats`)).json()) as typeof stats;
        if (stats?.libbeat.output.events['acked'] === 300) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(stats?.libbeat.pipeline.events).to.include({ total: 300, published: 300, dropped: 0, failed: 0, filtered: 0, active: 0 });
      expect(stats?.libbeat.output.events).to.include({ acked: 300, dropped: 0, failed: 0 });
      expect(stats?.libbeat.output.type).to.equal('file');
      const written = (stats?.libbeat.output as unknown as { write: { bytes: number } }).write.bytes;
      expect(written).to.equal(fs.readdirSync(path.join(dir, 'out')).reduce((n, f) => n + fs.statSync(path.join(dir, 'out', f)).size, 0));
      const state = (await (await fetch(`${base}/state`)).json()) as Record<string, Record<string, unknown>>;
      expect(state['output']).to.deep.equal({ name: 'file' });
    } finally {
      beat.child.kill('SIGTERM');
    }
    expect((await beat.done).code).to.equal(0);
  });

  it('a second signal exits at once when the beat does not stop', async () => {
    config(dir, { 'counter.events': '5', 'counter.ignore_stop': 'true' });
    const beat = start(counterBeatScript, ['--path.home', dir, '-e']);
    await beat.waitForStderr('published 5');
    beat.child.kill('SIGTERM');
    await beat.waitForStderr('received SIGTERM, stopping');
    beat.child.kill('SIGTERM');
    const result = await beat.done;
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('received SIGTERM again, exiting now');
  });

  it('writes rotating log files under path.logs when not logging to stderr', async () => {
    config(dir, { 'counter.events': '2', 'logging.to_files': 'true', 'logging.level': 'debug', 'logging.selectors': '[publisher]' });
    const beat = start(counterBeatScript, ['--path.home', dir]);
    await beat.waitForStderr('published 2');
    beat.child.kill('SIGTERM');
    expect((await beat.done).code).to.equal(0);
    const logs = fs.readdirSync(path.join(dir, 'logs'));
    expect(logs.length).to.be.greaterThan(0);
    const text = logs.map((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8')).join('');
    expect(text).to.include('counterbeat 0.0.1 starting');
    expect(text).to.include('counterbeat stopped');
  });
});
