import { expect } from 'chai';
import path from 'node:path';
import { repoRoot } from './support/run-process.js';
import { replayCapture } from './support/capture-run.js';

/** The project's own sample: HTTP on 127.0.0.1:8002 (tools/make-sample-capture.sh). */
const sample = path.join(repoRoot, 'packages/packetbeat/samples/http-sample.pcap');

describe('common protocol options on the sample capture', () => {
  const http = (extra: string[] = []): string[] => ['packetbeat.flows.enabled: false', 'packetbeat.protocols:', '  - type: http', '    ports: [8002]', ...extra];

  it('publishes the six HTTP transactions of the sample', async () => {
    const docs = await replayCapture(sample, http());
    expect(docs.map((d) => `${String(d['query'])} ${String(d['http.response.status_code'])}`)).to.deep.equal([
      'GET /api/users 200',
      'POST /api/users 200',
      'GET /missing/page 404',
      'GET /a 200',
      'GET /b 200',
      'GET /private 200',
    ]);
  });

  it('packetbeat.ignore_outgoing drops transactions this host started (the sample is all loopback)', async () => {
    const docs = await replayCapture(sample, [...http(), 'packetbeat.ignore_outgoing: true']);
    expect(docs).to.have.length(0);
  });

  it('index, fields, tags and processors apply per protocol', async () => {
    const docs = await replayCapture(
      sample,
      http([
        '    index: "web-%{+yyyy.MM.dd}"',
        '    fields: {team: web}',
        '    tags: [frontend]',
        '    processors:',
        '      - drop_event.when.equals.http.response.status_code: 404',
      ]),
    );
    expect(docs).to.have.length(5);
    for (const d of docs) {
      expect(d['@metadata.index']).to.equal('web-%{+yyyy.MM.dd}');
      expect(d['fields.team']).to.equal('web');
      expect(d['tags']).to.deep.equal(['frontend']);
    }
  });
});
