import { expect } from 'chai';
import fs from 'node:fs';
import { EsTestServer } from '@packetbeat-ts/libbeat/testing';
import { PACKETBEAT_VERSION } from '@packetbeat-ts/packetbeat';
import { packetbeatBin, run, tempDir, writeConfig } from './support/run-process.js';

/** The value at a dotted path (`template.settings`), or undefined. */
function at(value: unknown, dotted: string): unknown {
  let node = value;
  for (const part of dotted.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/** The mapping of a dotted field in a template's `properties`. */
function mappingOf(template: unknown, field: string): unknown {
  let node = at(template, 'template.mappings');
  for (const part of field.split('.')) node = at(at(node, 'properties'), part);
  return node;
}

describe('packetbeat setup / export template / export ilm-policy', () => {
  let dir: string;
  let es: EsTestServer;
  const name = `packetbeat-${PACKETBEAT_VERSION}`;
  beforeEach(async () => {
    dir = tempDir('pb-setup-');
    es = await EsTestServer.start();
  });
  afterEach(async () => {
    await es.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pb = (args: string[]) => run(packetbeatBin, ['--path.home', dir, ...args], { cwd: dir });
  const esConfig = (extra: string[] = []): void =>
    void writeConfig(dir, 'packetbeat.yml', [`output.elasticsearch.hosts: ["${es.url}"]`, 'logging.to_files: false', ...extra].join('\n'));

  it('setup --index-management loads the ILM policy, the template and the data stream', async () => {
    esConfig();
    const r = await pb(['setup', '--index-management']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`Index template ${name} loaded.`);
    expect(r.stdout.trim().split('\n').pop()).to.equal('Index setup finished.');

    const policy = es.policies.get('packetbeat');
    expect(at(policy, 'policy.phases.hot.actions.rollover')).to.deep.equal({ max_age: '30d', max_primary_shard_size: '50gb' });

    const template = es.templates.get(name);
    expect(at(template, 'index_patterns')).to.deep.equal([name]);
    expect(at(template, 'data_stream')).to.deep.equal({});
    expect(at(template, 'priority')).to.equal(150);
    expect(at(template, 'template.settings.index.lifecycle')).to.deep.equal({ name: 'packetbeat' });
    expect(mappingOf(template, 'client.ip')).to.deep.equal({ type: 'ip' });
    expect(mappingOf(template, 'destination.port')).to.deep.equal({ type: 'long' });
    expect(mappingOf(template, 'event.duration')).to.deep.equal({ type: 'long' });
    expect(mappingOf(template, 'event.start')).to.deep.equal({ type: 'date' });
    expect(mappingOf(template, 'network.community_id')).to.deep.equal({ type: 'keyword', ignore_above: 1024 });
    expect(mappingOf(template, 'flow.final')).to.deep.equal({ type: 'boolean' });
    expect(mappingOf(template, '@timestamp')).to.deep.equal({ type: 'date' });
    expect([...es.dataStreams]).to.deep.equal([name]);
  });

  it('setup (alone, Go-style -index-management too) does the same, and a second run overwrites nothing', async () => {
    esConfig(['setup.template.settings.index.number_of_replicas: 0']);
    const first = await pb(['setup']);
    expect(first.code, first.stderr).to.equal(0);
    expect(at(es.templates.get(name), 'template.settings.index.number_of_replicas')).to.equal(0);
    es.templates.set(name, { marker: 'kept' });
    const second = await pb(['setup', '-index-management']);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.include('exists already');
    expect(es.templates.get(name)).to.deep.equal({ marker: 'kept' });
    const third = await pb(['setup', '-E', 'setup.template.overwrite=true']);
    expect(third.code, third.stderr).to.equal(0);
    expect(at(es.templates.get(name), 'priority')).to.equal(150);
  });

  it('setup exits 1 with the reason when Elasticsearch cannot be reached', async () => {
    const port = es.host.split(':')[1];
    await es.close();
    writeConfig(dir, 'packetbeat.yml', `output.elasticsearch.hosts: ["127.0.0.1:${port}"]\nlogging.to_files: false\n`);
    const r = await pb(['setup', '--index-management']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^Exiting: checking ILM policy packetbeat: connection refused/m);
    es = await EsTestServer.start(); // for afterEach
  });

  it('setup with output.console exits 1: setup needs output.elasticsearch', async () => {
    writeConfig(dir, 'packetbeat.yml', 'output.console: {}\nlogging.to_files: false\n');
    const r = await pb(['setup', '--index-management']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^Exiting: .*setup needs output\.elasticsearch/m);
  });

  it('export template prints the template as JSON (setup.template.* applied)', async () => {
    writeConfig(dir, 'packetbeat.yml', 'logging.to_files: false\n');
    const r = await pb(['export', 'template', '-E', 'setup.template.settings.index.number_of_shards=2', '-E', 'setup.ilm.enabled=false']);
    expect(r.code, r.stderr).to.equal(0);
    const template: unknown = JSON.parse(r.stdout);
    expect(at(template, 'index_patterns')).to.deep.equal([name]);
    expect(at(template, 'template.settings')).to.deep.equal({ index: { number_of_shards: 2 } });
    expect(mappingOf(template, 'server.ip')).to.deep.equal({ type: 'ip' });
    expect(mappingOf(template, 'redis.return_value')).to.deep.equal({ type: 'keyword', ignore_above: 1024 });
    expect(es.requests).to.have.length(0);
  });

  it('export ilm-policy prints the policy as JSON', async () => {
    writeConfig(dir, 'packetbeat.yml', 'logging.to_files: false\n');
    const r = await pb(['export', 'ilm-policy']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ policy: { phases: { hot: { actions: { rollover: { max_age: '30d', max_primary_shard_size: '50gb' } } } } } });
  });
});
