import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { flattenFields } from '@packetbeat-ts/libbeat';
import { packetbeatBin, readNdjson, repoRoot, run, tempDir, writeConfig } from './support/run-process.js';

const shared = path.resolve(repoRoot, '../shared');
const golden = path.join(shared, 'golden/http_basic_auth-expected.json');
const capture = path.join(shared, 'pcaps/http_basicauth.pcap');

describe('golden documents (Elastic Packetbeat\'s published output)', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('pb-golden-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('http_basicauth.pcap gives the HTTP document of http_basic_auth-expected.json, field for field', async function () {
    if (!fs.existsSync(golden) || !fs.existsSync(capture)) {
      if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`missing ${golden} or ${capture}`);
      console.log(`      skipped: ${golden} or ${capture} is absent`);
      this.skip();
    }
    writeConfig(
      dir,
      'packetbeat.yml',
      [
        'packetbeat.protocols:',
        '  - type: http',
        '    ports: [80]',
        '    send_all_headers: true',
        'output.file.path: ${path.home}/out',
        'logging.to_files: false',
      ].join('\n'),
    );
    const r = await run(packetbeatBin, ['--path.home', dir, '-I', capture, '-t', '-e']);
    expect(r.code, r.stderr).to.equal(0);
    const ours = readNdjson(path.join(dir, 'out')).map((d) => flattenFields(d));
    const expected = (JSON.parse(fs.readFileSync(golden, 'utf8')) as Array<Record<string, unknown>>).filter((d) => d['type'] === 'http');
    expect(expected).to.have.length(1);
    const httpDocs = ours.filter((d) => d['type'] === 'http');
    expect(httpDocs).to.have.length(1);
    const doc = httpDocs[0] as Record<string, unknown>;
    const mismatches = Object.entries(expected[0] as Record<string, unknown>)
      .filter(([key, value]) => JSON.stringify(doc[key]) !== JSON.stringify(value))
      .map(([key, value]) => `${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(doc[key])}`);
    expect(mismatches, mismatches.join('\n')).to.deep.equal([]);
  });
});
