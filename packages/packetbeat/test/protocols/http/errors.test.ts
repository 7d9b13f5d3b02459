import { expect } from 'chai';
import { doc, harness, only } from './harness.js';

const GET = 'GET /a HTTP/1.1\r\nHost: h\r\n\r\n';
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody';

describe('http plugin: unmatched messages, gaps and resynchronisation', () => {
  it('reports a response without request as Error "Unmatched response"', () => {
    const h = harness();
    h.at(5).send(1, OK);
    const tx = only(h.reported);
    expect(tx.status).to.equal('Error');
    expect(tx.notes).to.deep.equal(['Unmatched response']);
    expect(tx.start).to.equal(5);
    expect(tx.method).to.equal(undefined);
    expect(doc(tx)['http.response.status_code']).to.equal(200);
    expect(doc(tx)['url.full']).to.equal(undefined);
    expect(h.counters['unmatched_responses']).to.equal(1);
  });

  it('reports requests never answered when the connection closes', () => {
    const h = harness();
    h.send(0, GET + GET.replace('/a', '/b'));
    h.send(1, OK);
    expect(h.reported).to.have.length(1);
    h.close();
    expect(h.reported).to.have.length(2);
    expect(h.reported[1]!.query).to.equal('GET /b');
    expect(h.reported[1]!.status).to.equal('Error');
    expect(h.reported[1]!.notes).to.deep.equal(['Unmatched request']);
  });

  it('a gap between keep-alive exchanges is noted on the next request, whose exchange still pairs', () => {
    const h = harness();
    h.send(0, GET);
    h.send(1, OK);
    // Both directions are between messages here (nothing under way).
    expect(h.gap(0, 30)).to.equal(false);
    h.send(0, GET.replace('/a', '/b'));
    h.send(1, OK);
    h.send(0, GET.replace('/a', '/c'));
    h.send(1, OK);
    expect(h.reported.map((tx) => tx.query)).to.deep.equal(['GET /a', 'GET /b', 'GET /c']);
    expect(h.reported[1]!.notes).to.deep.equal(['Packet loss while capturing the request']);
    expect(h.reported[2]!.notes).to.equal(undefined);
    expect(h.reported.every((tx) => tx.status === 'OK')).to.equal(true);
  });

  it('skips a gap inside a Content-Length body and notes the loss', () => {
    const h = harness();
    h.send(0, GET + GET);
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab');
    expect(h.gap(1, 5)).to.equal(true);
    h.send(1, 'cde' + OK);
    expect(h.reported).to.have.length(2);
    expect(h.reported[0]!.notes).to.deep.equal(['Packet loss while capturing the response']);
    expect(doc(h.reported[0]!)['http.response.body.bytes']).to.equal(10);
    expect(h.reported[1]!.status).to.equal('OK');
    expect(h.reported[1]!.notes).to.equal(undefined);
  });

  it('completes a body the gap ends, then resyncs on the next message start', () => {
    const h = harness();
    h.send(0, GET + GET);
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab');
    // the gap swallows the body's end and the start of the next response
    expect(h.gap(1, 20)).to.equal(false);
    h.send(1, 'ngth: 4\r\n\r\nbody');
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(h.reported).to.have.length(2);
    expect(h.reported[0]!.notes).to.deep.equal(['Packet loss while capturing the response']);
    expect(h.reported[1]!.notes).to.deep.equal(['Packet loss while capturing the response']);
    expect(doc(h.reported[1]!)['http.response.body.bytes']).to.equal(undefined);
  });

  it('skips a gap in a close-delimited body and inside a chunk', () => {
    const h = harness();
    h.send(0, 'GET / HTTP/1.0\r\n\r\n');
    h.send(1, 'HTTP/1.0 200 OK\r\n\r\nabc');
    expect(h.gap(1, 100)).to.equal(true);
    h.send(1, 'def');
    h.fin(1);
    expect(doc(only(h.reported))['http.response.body.bytes']).to.equal(106);

    const c = harness();
    c.send(0, GET);
    c.send(1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n12');
    expect(c.gap(1, 5)).to.equal(true);
    c.send(1, '890\r\n0\r\n\r\n');
    expect(doc(only(c.reported))['http.response.body.bytes']).to.equal(10);
    expect(only(c.reported).notes).to.deep.equal(['Packet loss while capturing the response']);
  });

  it('drops a message whose headers were hit by a gap and resyncs on the next one', () => {
    const h = harness();
    h.send(0, 'GET /lost HTTP/1.1\r\nHo');
    expect(h.gap(0, 30)).to.equal(false);
    h.send(0, 'st: h\r\nAccept: */*\r\n\r\n' + GET);
    h.send(1, OK);
    const tx = only(h.reported);
    expect(tx.query).to.equal('GET /a');
    expect(tx.status).to.equal('OK');
    expect(tx.notes).to.deep.equal(['Packet loss while capturing the request']);
  });

  it('publishes a chunked message hit by a gap in its framing, with a note', () => {
    const h = harness();
    h.send(0, GET + GET);
    h.send(1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab');
    expect(h.gap(1, 50)).to.equal(false);
    h.send(1, 'xx\r\n0\r\n\r\n' + OK);
    expect(h.reported).to.have.length(2);
    expect(h.reported[0]!.notes).to.deep.equal(['Packet loss while capturing the response']);
    expect(h.reported[1]!.status).to.equal('OK');
  });

  it('resyncs after bytes that are not HTTP', () => {
    const h = harness();
    h.send(0, '\x16\x03\x01garbage\r\nmore garbage\r\n' + GET, 'bytes');
    h.send(1, OK);
    const tx = only(h.reported);
    expect(tx.query).to.equal('GET /a');
    expect(tx.notes).to.deep.equal(['Dropped data that is not an HTTP request']);
  });

  it('does not report partial headers at FIN, but reports complete requests as unmatched at close', () => {
    const h = harness();
    h.send(0, GET + 'GET /partial HT');
    h.fin(0);
    h.close();
    const tx = only(h.reported);
    expect(tx.query).to.equal('GET /a');
    expect(tx.notes).to.deep.equal(['Unmatched request']);
  });
});
