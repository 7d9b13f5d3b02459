import { expect } from 'chai';
import { deflateSync, gzipSync } from 'node:zlib';
import { doc, harness, only, type Split } from './harness.js';

const GET = 'GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test/1.0\r\n\r\n';
const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';

describe('http plugin: message framing', () => {
  const splits: Split[] = ['whole', 'bytes', 3, 7];
  for (const split of splits) {
    it(`pairs a request and a Content-Length response (split: ${split})`, () => {
      const h = harness();
      h.at(1_000_000).send(0, GET, split);
      h.at(1_005_000).send(1, OK, split);
      const tx = only(h.reported);
      expect(tx.status).to.equal('OK');
      expect(tx.method).to.equal('GET');
      expect(tx.query).to.equal('GET /index.html');
      expect(tx.start).to.equal(1_000_000);
      expect(tx.end).to.equal(1_005_000);
      expect(tx.requestBytes).to.equal(GET.length);
      expect(tx.responseBytes).to.equal(OK.length);
      const d = doc(tx);
      expect(d['http.request.method']).to.equal('GET');
      expect(d['http.request.bytes']).to.equal(GET.length);
      expect(d['http.response.status_code']).to.equal(200);
      expect(d['http.response.status_phrase']).to.equal('ok');
      expect(d['http.response.bytes']).to.equal(OK.length);
      expect(d['http.response.body.bytes']).to.equal(5);
      expect(d['http.response.headers.content-length']).to.equal(5);
      expect(d['http.response.headers.content-type']).to.equal('text/plain');
      expect(d['http.version']).to.equal('1.1');
      expect(d['url.full']).to.equal('http://example.com/index.html');
      expect(d['url.extension']).to.equal('html');
      expect(d['user_agent.original']).to.equal('test/1.0');
      expect(tx.hosts).to.deep.equal(['example.com']);
    });
  }

  it('start is the first request byte, end the first response byte (as Packetbeat times event.duration)', () => {
    const h = harness();
    h.at(100).send(0, GET.slice(0, 10));
    h.at(200).send(0, GET.slice(10));
    h.at(300).send(1, OK.slice(0, 20));
    h.at(400).send(1, OK.slice(20));
    const tx = only(h.reported);
    expect(tx.start).to.equal(100);
    expect(tx.end).to.equal(300);
  });

  it('reads chunked bodies with extensions and trailers, byte by byte', () => {
    for (const split of ['whole', 'bytes'] as const) {
      const h = harness({ include_body_for: ['text/'] });
      const resp = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n' + '5;ext=1\r\nhello\r\n' + '7\r\n, world\r\n' + '0\r\nX-Trailer: yes\r\n\r\n';
      h.send(0, GET, split);
      h.send(1, resp + 'HTTP/1.1 204 No Content\r\n\r\n', split);
      h.send(0, GET, split);
      expect(h.reported).to.have.length(2);
      const d = doc(h.reported[0]!);
      expect(d['http.response.body.content']).to.equal('hello, world');
      expect(d['http.response.body.bytes']).to.equal(12);
      expect(d['http.response.headers.content-length']).to.equal(12);
      expect(h.reported[0]!.responseBytes).to.equal(resp.length);
      expect(doc(h.reported[1]!)['http.response.status_code']).to.equal(204);
    }
  });

  it('reads a close-delimited HTTP/1.0 body up to the server FIN', () => {
    const h = harness();
    h.send(0, 'GET / HTTP/1.0\r\n\r\n');
    h.send(1, 'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>', 'bytes');
    h.send(1, '</html>');
    expect(h.reported).to.have.length(0);
    h.at(2_000_000).fin(1);
    const tx = only(h.reported);
    expect(doc(tx)['http.response.body.bytes']).to.equal(13);
    expect(doc(tx)['http.version']).to.equal('1.0');
    expect(tx.responseBytes).to.equal('HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html></html>'.length);
  });

  it('reads a Connection: close body without length up to the connection close', () => {
    const h = harness();
    h.send(0, GET);
    h.send(1, 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabcdef');
    expect(h.reported).to.have.length(0);
    h.close();
    expect(doc(only(h.reported))['http.response.body.bytes']).to.equal(6);
    expect(only(h.reported).status).to.equal('OK');
  });

  it('ignores 100 Continue interim responses', () => {
    const h = harness();
    h.send(0, 'POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    h.send(1, 'HTTP/1.1 100 Continue\r\n\r\n');
    h.send(0, 'data');
    h.send(1, 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
    const tx = only(h.reported);
    expect(doc(tx)['http.response.status_code']).to.equal(201);
    expect(doc(tx)['http.request.body.bytes']).to.equal(4);
    expect(tx.notes).to.equal(undefined);
  });

  it('ignores 100 Continue even when the request body was already complete', () => {
    const h = harness();
    h.send(0, 'POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\nok');
    h.send(1, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(only(h.reported).status).to.equal('OK');
    expect(doc(only(h.reported))['http.response.status_code']).to.equal(200);
  });

  it('knows HEAD, 204 and 304 responses have no body', () => {
    const h = harness();
    h.send(0, 'HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n\r\n');
    h.send(
      1,
      'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + 'HTTP/1.1 204 No Content\r\n\r\n' + 'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n' + 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
      'bytes',
    );
    expect(h.reported.map((t) => t.query)).to.deep.equal(['HEAD /a', 'GET /b', 'GET /c', 'GET /d']);
    expect(h.reported.map((t) => doc(t)['http.response.status_code'])).to.deep.equal([200, 204, 304, 200]);
    expect(h.reported.every((t) => t.status === 'OK')).to.equal(true);
  });

  it('matches pipelined requests and responses in order (keep-alive)', () => {
    const h = harness();
    const reqs = ['/1', '/2', '/3'].map((p) => `GET ${p} HTTP/1.1\r\nHost: h\r\n\r\n`).join('');
    h.send(0, reqs, 5);
    const resp = (n: number, code: number, phrase: string): string => `HTTP/1.1 ${code} ${phrase}\r\nContent-Length: ${n}\r\n\r\n${'x'.repeat(n)}`;
    h.send(1, resp(1, 200, 'OK') + resp(2, 404, 'Not Found') + resp(3, 500, 'Internal Server Error'), 4);
    expect(h.reported.map((t) => t.query)).to.deep.equal(['GET /1', 'GET /2', 'GET /3']);
    expect(h.reported.map((t) => t.status)).to.deep.equal(['OK', 'Error', 'Error']);
    expect(doc(h.reported[2]!)['http.response.status_phrase']).to.equal('internal server error');
    expect(h.reported.map((t) => doc(t)['http.response.body.bytes'])).to.deep.equal([1, 2, 3]);
  });

  it('treats header names case-insensitively and joins duplicates with ", "', () => {
    const h = harness({ send_all_headers: true });
    h.send(0, 'GET / HTTP/1.1\r\nHOST: Example.COM\r\nX-Dup: a\r\nx-dup: b\r\nX-Folded: one\r\n  two\r\n\r\n');
    h.send(1, 'HTTP/1.1 200 OK\r\ncontent-LENGTH: 0\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n');
    const d = doc(only(h.reported));
    expect(d['http.request.headers.host']).to.equal('Example.COM');
    expect(d['http.request.headers.x-dup']).to.equal('a, b');
    expect(d['http.request.headers.x-folded']).to.equal('one two');
    expect(d['http.response.headers.set-cookie']).to.equal('a=1, b=2');
    expect(d['http.response.headers.content-length']).to.equal(0);
  });

  it('reads HTTP/1.0 and HTTP/1.1 versions and absolute-form targets', () => {
    const h = harness({}, { id: 2, transport: 'tcp', client: { ip: '10.0.0.1', port: 1 }, server: { ip: '10.0.0.2', port: 8080 }, vlans: [] });
    h.send(0, 'GET http://proxy.example:8080/p/q.txt?a=1 HTTP/1.0\r\nHost: proxy.example:8080\r\nConnection: keep-alive\r\n\r\n');
    h.send(1, 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n');
    const d = doc(only(h.reported));
    expect(d['http.version']).to.equal('1.0');
    expect(d['url.path']).to.equal('/p/q.txt');
    expect(d['url.query']).to.equal('a=1');
    expect(d['url.port']).to.equal(8080);
    expect(d['url.full']).to.equal('http://proxy.example:8080/p/q.txt?a=1');
    expect(only(h.reported).query).to.equal('GET /p/q.txt');
  });

  it('decodes gzip and deflate bodies before publishing them (decode_body default true)', () => {
    const h = harness({ include_body_for: ['json'] });
    const gz = gzipSync(Buffer.from('{"a":1}'));
    h.send(0, GET);
    h.send(1, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz]), 'bytes');
    const d = doc(only(h.reported));
    expect(d['http.response.body.content']).to.equal('{"a":1}');
    expect(d['http.response.body.bytes']).to.equal(7);
    expect(d['http.response.mime_type']).to.equal('application/json');
    expect(d['http.response.headers.content-length']).to.equal(gz.length);

    const h2 = harness({ include_body_for: ['text'] });
    const df = deflateSync(Buffer.from('plain words'));
    h2.send(0, GET);
    h2.send(1, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: deflate, chunked\r\n\r\n${df.length.toString(16)}\r\n`), df, Buffer.from('\r\n0\r\n\r\n')]));
    expect(doc(only(h2.reported))['http.response.body.content']).to.equal('plain words');
  });

  it('keeps the encoded body with decode_body: false, and notes undecodable bodies', () => {
    const gz = gzipSync(Buffer.from('hello'));
    const h = harness({ include_body_for: ['text'], decode_body: false });
    h.send(0, GET);
    h.send(1, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz]));
    expect(doc(only(h.reported))['http.response.body.bytes']).to.equal(gz.length);

    const h2 = harness({ include_body_for: ['text'] });
    h2.send(0, GET);
    h2.send(1, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc');
    expect(only(h2.reported).notes).to.deep.equal(['unable to decode body using br encoding: decoder not found']);
  });

  it('stops parsing after 101 Switching Protocols', () => {
    const h = harness();
    h.send(0, 'GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    h.send(1, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello');
    h.send(0, '\x81\x85junk');
    h.close();
    const tx = only(h.reported);
    expect(doc(tx)['http.response.status_code']).to.equal(101);
    expect(tx.notes).to.equal(undefined);
  });
});
