import { expect } from 'chai';
import { Client } from '@elastic/elasticsearch';
import type { FieldDefinition } from '../../src/beat/beater.js';
import {
  buildIlmPolicy,
  buildProperties,
  buildTemplate,
  dataStreamName,
  defaultSetupSettings,
  readSetupSettings,
  runIndexSetup,
  setupIndexManagement,
} from '../../src/beat/setup.js';
import { loadConfig } from '../../src/config/load.js';
import { isBeatError } from '../../src/errors.js';
import { defaultOutputRegistry } from '../../src/outputs/registry.js';
import { EsTestServer } from '../../src/testing/es-test-server.js';

const FIELDS: FieldDefinition[] = [
  { name: 'client.ip', type: 'ip' },
  { name: 'client.port', type: 'long' },
  { name: 'event.duration', type: 'long' },
  { name: 'event.start', type: 'date' },
  { name: 'network.community_id', type: 'keyword' },
  { name: 'http.request.headers', type: 'object', dynamic: true },
  { name: 'flow.final', type: 'boolean' },
  { name: 'request', type: 'text' },
  { name: 'short', type: 'keyword', ignore_above: 0 },
  { name: 'dns.answers', type: 'object' },
  { name: 'dns.answers.name', type: 'keyword' },
];

/** The value at a dotted path (`template.settings`), or undefined. */
function at(value: unknown, dotted: string): unknown {
  let node = value;
  for (const part of dotted.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

function config(overrides: string[]) {
  return loadConfig({ beatName: 'testbeat', files: [], overrides, outputs: defaultOutputRegistry(), requireOutput: false });
}

describe('beat: setup (index template, ILM policy)', () => {
  describe('template building', () => {
    it('nests the field list by dots, with Beats types and keyword ignore_above 1024', () => {
      const p = buildProperties(FIELDS);
      expect(p['client']).to.deep.equal({ properties: { ip: { type: 'ip' }, port: { type: 'long' } } });
      expect(at(p, 'event.properties.duration')).to.deep.equal({ type: 'long' });
      expect(at(p, 'event.properties.start')).to.deep.equal({ type: 'date' });
      expect(at(p, 'network.properties.community_id')).to.deep.equal({ type: 'keyword', ignore_above: 1024 });
      expect(at(p, 'http.properties.request.properties.headers')).to.deep.equal({ type: 'object', dynamic: true });
      expect(at(p, 'flow.properties.final')).to.deep.equal({ type: 'boolean' });
      expect(p['request']).to.deep.equal({ type: 'text', norms: false });
      expect(p['short']).to.deep.equal({ type: 'keyword' });
      expect(at(p, 'dns.properties.answers')).to.deep.equal({ type: 'object', properties: { name: { type: 'keyword', ignore_above: 1024 } } });
    });

    it('rejects a leaf used as a parent', () => {
      expect(() => buildProperties([{ name: 'a', type: 'long' }, { name: 'a.b', type: 'keyword' }])).to.throw(/parent "a" is of type "long"/);
    });

    it('builds a composable data stream template named <beat>-<version>', () => {
      const t = buildTemplate(defaultSetupSettings('testbeat', '8.19.0'), FIELDS);
      const body = t.body;
      expect(t.name).to.equal('testbeat-8.19.0');
      expect(body['index_patterns']).to.deep.equal(['testbeat-8.19.0']);
      expect(body['data_stream']).to.deep.equal({});
      expect(body['priority']).to.equal(150);
      expect(body['_meta']).to.deep.equal({ beat: 'testbeat', version: '8.19.0' });
      expect(at(body, 'template.settings')).to.deep.equal({ index: { number_of_shards: 1, lifecycle: { name: 'testbeat' } } });
      const mappings = at(body, 'template.mappings');
      expect(at(mappings, '_meta')).to.deep.equal({ beat: 'testbeat', version: '8.19.0' });
      expect(at(mappings, 'dynamic_templates.0.strings_as_keyword.mapping')).to.deep.equal({ type: 'keyword', ignore_above: 1024 });
      expect(at(mappings, 'properties.@timestamp')).to.deep.equal({ type: 'date' });
      expect(at(mappings, 'properties.client.properties.ip')).to.deep.equal({ type: 'ip' });
    });

    it('merges setup.template.settings (dotted or nested) and honours name/pattern', () => {
      const settings = readSetupSettings(
        config([
          'setup.template.name=custom',
          'setup.template.pattern=custom-*',
          'setup.template.settings.index.number_of_shards=3',
          'setup.template.settings.index.codec=best_compression',
          'setup.template.settings._source.enabled=false',
          'setup.ilm.policy_name=mypolicy',
        ]),
        'testbeat',
        '8.19.0',
      );
      const t = buildTemplate(settings, FIELDS);
      const body = t.body;
      expect(t.name).to.equal('custom');
      expect(body['index_patterns']).to.deep.equal(['custom-*']);
      expect(at(body, 'template.settings')).to.deep.equal({ index: { number_of_shards: 3, codec: 'best_compression', lifecycle: { name: 'mypolicy' } } });
      expect(at(body, 'template.mappings._source')).to.deep.equal({ enabled: false });
      expect(dataStreamName(settings)).to.equal('custom');
      expect(buildIlmPolicy(settings).name).to.equal('mypolicy');
    });

    it('leaves index.lifecycle out when ILM is disabled', () => {
      const settings = readSetupSettings(config(['setup.ilm.enabled=false']), 'testbeat', '1.0.0');
      expect(at(buildTemplate(settings, FIELDS).body, 'template.settings')).to.deep.equal({ index: { number_of_shards: 1 } });
    });

    it("has Beats' default ILM policy", () => {
      const p = buildIlmPolicy(defaultSetupSettings('testbeat', '1.0.0'));
      expect(p.name).to.equal('testbeat');
      expect(p.body).to.deep.equal({ policy: { phases: { hot: { actions: { rollover: { max_age: '30d', max_primary_shard_size: '50gb' } } } } } });
    });
  });

  describe('against Elasticsearch', () => {
    let server: EsTestServer;
    let client: Client;
    beforeEach(async () => {
      server = await EsTestServer.start();
      client = new Client({ node: server.url, maxRetries: 0 });
    });
    afterEach(async () => {
      await client.close();
      await server.close();
    });

    it('loads the policy, the template and the data stream', async () => {
      const lines = await setupIndexManagement(client, defaultSetupSettings('testbeat', '1.2.3'), FIELDS);
      expect(lines).to.deep.equal(['ILM policy testbeat loaded.', 'Index template testbeat-1.2.3 loaded.', 'Data stream testbeat-1.2.3 created.']);
      expect(server.policies.get('testbeat')).to.deep.equal(buildIlmPolicy(defaultSetupSettings('testbeat', '1.2.3')).body);
      const template = server.templates.get('testbeat-1.2.3');
      expect(at(template, 'template.mappings.properties.event.properties.duration')).to.deep.equal({ type: 'long' });
      expect([...server.dataStreams]).to.deep.equal(['testbeat-1.2.3']);
    });

    it('does not overwrite an existing template or policy unless told to', async () => {
      server.templates.set('testbeat-1.2.3', { marker: 'old' });
      server.policies.set('testbeat', { policy: { marker: 'old' } });
      server.dataStreams.add('testbeat-1.2.3');
      const lines = await setupIndexManagement(client, defaultSetupSettings('testbeat', '1.2.3'), FIELDS);
      expect(lines).to.deep.equal([
        'ILM policy testbeat exists already, not overwritten.',
        'Index template testbeat-1.2.3 exists already, not overwritten.',
        'Data stream testbeat-1.2.3 exists already.',
      ]);
      expect(server.templates.get('testbeat-1.2.3')).to.deep.equal({ marker: 'old' });
      expect(server.policies.get('testbeat')).to.deep.equal({ policy: { marker: 'old' } });

      const overwrite = defaultSetupSettings('testbeat', '1.2.3', { template: { overwrite: true }, ilm: { overwrite: true } });
      const again = await setupIndexManagement(client, overwrite, FIELDS);
      expect(again.slice(0, 2)).to.deep.equal(['ILM policy testbeat loaded.', 'Index template testbeat-1.2.3 loaded.']);
      expect(at(server.templates.get('testbeat-1.2.3'), 'priority')).to.equal(150);
      expect(at(server.policies.get('testbeat'), 'policy.phases.hot')).to.not.equal(undefined);
    });

    it('loads no policy when ILM is disabled or check_exists is false', async () => {
      const lines = await setupIndexManagement(client, defaultSetupSettings('testbeat', '1.2.3', { ilm: { enabled: false } }), FIELDS);
      expect(lines[0]).to.match(/ILM is disabled/);
      expect(server.policies.size).to.equal(0);
      const template = server.templates.get('testbeat-1.2.3');
      expect(at(template, 'template.settings.index.lifecycle')).to.equal(undefined);
      await setupIndexManagement(client, defaultSetupSettings('testbeat', '1.2.3', { ilm: { checkExists: false } }), FIELDS);
      expect(server.policies.size).to.equal(0);
    });

    it('loads no template when setup.template.enabled is false', async () => {
      const lines = await setupIndexManagement(client, defaultSetupSettings('testbeat', '1.2.3', { template: { enabled: false } }), FIELDS);
      expect(lines[1]).to.match(/disabled/);
      expect(server.templates.size).to.equal(0);
      expect(server.dataStreams.size).to.equal(0);
    });

    it('runIndexSetup connects with output.elasticsearch (auth included) and reports failures', async () => {
      await server.close();
      server = await EsTestServer.start({ username: 'elastic', password: 'changeme' });
      const good = config([`output.elasticsearch.hosts=["${server.host}"]`, 'output.elasticsearch.username=elastic', 'output.elasticsearch.password=changeme']);
      const lines = await runIndexSetup(good, 'testbeat', '1.2.3', FIELDS);
      expect(lines).to.have.length(3);
      expect(server.templates.has('testbeat-1.2.3')).to.equal(true);

      const bad = config([`output.elasticsearch.hosts=["${server.host}"]`, 'output.elasticsearch.username=elastic', 'output.elasticsearch.password=wrong']);
      try {
        await runIndexSetup(bad, 'testbeat', '1.2.3', FIELDS);
        expect.fail('expected a failure');
      } catch (err) {
        expect(isBeatError(err)).to.equal(true);
        expect(String(err)).to.match(/ILM policy testbeat: status 401/);
      }
    });

    it('runIndexSetup needs output.elasticsearch', async () => {
      try {
        await runIndexSetup(config(['output.console.enabled=true']), 'testbeat', '1.2.3', FIELDS);
        expect.fail('expected a failure');
      } catch (err) {
        expect(String(err)).to.match(/setup needs output\.elasticsearch/);
      }
    });
  });
});
