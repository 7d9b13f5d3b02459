import { expect } from 'chai';
import { captureOrSkip, replayCapture, type FlatDoc } from './support/capture-run.js';

// Flow documents of the packetbeat binary replaying http_basicauth.pcap (23 packets: an HTTP
// connection to port 80, a DNS query over UDP, and two TLS connections already open when the capture began).

const capture = 'http_basicauth.pcap';

function flowDocs(docs: readonly FlatDoc[]): FlatDoc[] {
  return docs.filter((d) => d['type'] === 'flow');
}

describe('packetbeat flows on http_basicauth.pcap', () => {
  it('default flows: periodic and final documents cover all 23 packets, one final document per flow', async function () {
    const docs = await replayCapture(captureOrSkip(this, capture), ['packetbeat.protocols: []']);
    const flows = flowDocs(docs);
    expect(flows.length, 'only flow documents without protocols').to.equal(docs.length);

    const finals = flows.filter((f) => f['flow.final'] === true);
    const periodic = flows.filter((f) => f['flow.final'] === false);
    expect(finals.length + periodic.length).to.equal(flows.length);

    const finalIds = finals.map((f) => f['flow.id']);
    expect(new Set(finalIds).size, 'one final document per flow').to.equal(finals.length);
    expect(finals).to.have.length(4);
    expect(finals.map((f) => f['network.transport']).sort()).to.deep.equal(['tcp', 'tcp', 'tcp', 'udp']);
    expect(finals.reduce((sum, f) => sum + (f['network.packets'] as number), 0)).to.equal(23);

    // A periodic document belongs to a flow that also has its final document, under the same flow.id.
    expect(periodic).to.not.be.empty;
    for (const p of periodic) expect(finalIds, JSON.stringify(p)).to.include(p['flow.id']);

    for (const f of flows) {
      const where = JSON.stringify(f);
      expect(f['flow.id'], where).to.be.a('string').that.is.not.empty;
      expect(f['event.dataset'], where).to.equal('flow');
      expect((f['source.packets'] as number) + (f['destination.packets'] as number), where).to.equal(f['network.packets']);
      expect(f['network.community_id'], where).to.be.a('string').that.matches(/^1:/);
    }

    const http = finals.filter((f) => f['network.transport'] === 'tcp' && (f['destination.port'] === 80 || f['source.port'] === 80));
    expect(http).to.have.length(1);
    expect(http[0]?.['network.community_id']).to.equal('1:TMPM5eEnGOXfxAjx6NKlyjx+X10=');
    expect(http[0]?.['network.packets']).to.equal(11);
    // The same flow's periodic document shares its flow.id and community id.
    for (const p of periodic.filter((f) => f['flow.id'] === http[0]?.['flow.id'])) {
      expect(p['network.community_id']).to.equal('1:TMPM5eEnGOXfxAjx6NKlyjx+X10=');
    }
  });

  it('packetbeat.flows.enabled: false publishes no flow documents', async function () {
    const docs = await replayCapture(captureOrSkip(this, capture), ['packetbeat.protocols: []', 'packetbeat.flows.enabled: false']);
    expect(flowDocs(docs)).to.deep.equal([]);
  });

  it('packetbeat.flows.period: -1s publishes only final documents', async function () {
    const docs = await replayCapture(captureOrSkip(this, capture), ['packetbeat.protocols: []', 'packetbeat.flows.period: -1s']);
    const flows = flowDocs(docs);
    expect(flows).to.have.length(4);
    for (const f of flows) expect(f['flow.final'], JSON.stringify(f)).to.equal(true);
    expect(flows.reduce((sum, f) => sum + (f['network.packets'] as number), 0)).to.equal(23);
  });

  it('flows processors drop_event on network.transport udp drops the UDP flow', async function () {
    const docs = await replayCapture(captureOrSkip(this, capture), [
      'packetbeat.protocols: []',
      'packetbeat.flows:',
      '  processors:',
      '    - drop_event.when.equals.network.transport: udp',
    ]);
    const flows = flowDocs(docs);
    expect(flows).to.not.be.empty;
    expect(flows.filter((f) => f['network.transport'] === 'udp')).to.deep.equal([]);
    expect(flows.filter((f) => f['flow.final'] === true)).to.have.length(3);
  });
});
