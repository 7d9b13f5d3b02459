import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { EsTestServer } from '@packetbeat-ts/libbeat/testing';
import { packetbeatBin, repoRoot, run, tempDir, writeConfig } from './support/run-process.js';

const sample = path.join(repoRoot, 'packages/packetbeat/samples/http-sample.pcap');

describe('packetbeat → Elasticsearch (our compatible test server)', () => {
  let dir: string;
  let es: EsTestServer;
  beforeEach(async () => {
    dir = tempDir('pb-es-');
    es = await EsTestServer.start();
  });
  afterEach(async () => {
    await es.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const config = (): void =>
    void writeConfig(
      dir,
      'packetbeat.yml',
      [
        'packetbeat.protocols:',
        '  - type: http',
        '    ports: [8002]',
        'packetbeat.flows.enabled: false',
        'output.elasticsearch:',
        `  hosts: ["${es.url}"]`,
        '  index: "packetbeat-%{[agent.version]}-%{+yyyy.MM.dd}"',
        '  backoff.init: 100ms',
        '  backoff.max: 200ms',
        'logging.to_files: false',
      ].join('\n'),
    );

  it('test output reports the server version', async () => {
    config();
    const r = await run(packetbeatBin, ['--path.home', dir, 'test', 'output']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/connection\.\.\. OK, version: \d+\.\d+\.\d+/);
  });

  it('indexes every transaction of the sample, retrying rejected items until they are accepted', async () => {
    config();
    // The first four documents are refused with 429: they must be retried alone, not lost.
    es.rejectNextItems(4, 429);
    const r = await run(packetbeatBin, ['--path.home', dir, '-I', sample, '-t', '-e']);
    expect(r.code, r.stderr).to.equal(0);
    expect(es.count()).to.equal(6);
    const [index] = [...es.docs.keys()];
    expect(index).to.match(/^packetbeat-\d+\.\d+\.\d+-\d{4}\.\d\d\.\d\d$/);
    const queries = es.sources(index as string).map((d) => (d)['query']).sort();
    expect(queries).to.deep.equal(['GET /a', 'GET /api/users', 'GET /b', 'GET /missing/page', 'GET /private', 'POST /api/users']);
  });
});
