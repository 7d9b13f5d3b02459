import { expect } from 'chai';
import { doc, harness, only } from './harness.js';
import { httpPlugin } from '../../../src/protocols/http/plugin.js';
import { isProtocolPlugin } from '@packetbeat-ts/protocol-sdk';

const AUTH_GET = 'GET /secret?user=bob&password=hunter2 HTTP/1.1\r\nHost: example.com\r\nAuthorization: Basic c2ltcGxlc2ltb246YWJjZDEyMys=\r\nCookie: sid="abc"; theme=dark\r\nX-Api-Key: k\r\n\r\n';
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nSet-Cookie: id=1; Path=/\r\nServer: test\r\n\r\n';

describe('http plugin: definition and options', () => {
  it('is a branded plugin with Packetbeat’s name, ports and option schema', () => {
    expect(isProtocolPlugin(httpPlugin)).to.equal(true);
    expect(httpPlugin.name).to.equal('http');
    expect(httpPlugin.sdkVersion).to.equal('^1.0.0');
    expect(httpPlugin.transports).to.deep.equal(['tcp']);
    expect(httpPlugin.defaultPorts).to.deep.equal([80, 8080, 8000, 5000, 8002]);
    const schema = httpPlugin.configSchema as Record<string, { format: string; default: unknown }>;
    expect(Object.keys(schema).sort()).to.deep.equal(
      [
        'decode_body',
        'hide_keywords',
        'include_body_for',
        'include_request_body_for',
        'include_response_body_for',
        'max_message_size',
        'real_ip_header',
        'redact_authorization',
        'redact_headers',
        'send_all_headers',
        'send_headers',
        'split_cookie',
      ].sort(),
    );
    expect(schema['decode_body']?.default).to.equal(true);
    expect(schema['max_message_size']?.default).to.equal(10 * 1024 * 1024);
    expect(schema['send_headers']?.format).to.equal('string-list');
  });

  it('without send_headers publishes only content-length / content-type', () => {
    const h = harness();
    h.send(0, AUTH_GET);
    h.send(1, OK);
    const d = doc(only(h.reported));
    expect(d['http.request.headers.content-length']).to.equal(0);
    expect(Object.keys(d).filter((k) => k.startsWith('http.request.headers.'))).to.deep.equal(['http.request.headers.content-length']);
    // Packetbeat reads user.name from the captured Authorization header
    expect(d['user.name']).to.equal(undefined);
  });

  it('send_headers captures the listed headers, case-insensitively', () => {
    const h = harness({ send_headers: ['x-API-key', 'Server'] });
    h.send(0, AUTH_GET);
    h.send(1, OK);
    const d = doc(only(h.reported));
    expect(d['http.request.headers.x-api-key']).to.equal('k');
    expect(d['http.request.headers.cookie']).to.equal(undefined);
    expect(d['http.response.headers.server']).to.equal('test');
  });

  it('send_headers: true reads as send_all_headers', () => {
    const h = harness({ send_headers: true });
    h.send(0, AUTH_GET);
    h.send(1, OK);
    expect(doc(only(h.reported))['http.request.headers.x-api-key']).to.equal('k');
  });

  it('send_all_headers captures everything and yields user.name from Basic auth', () => {
    const h = harness({ send_all_headers: true });
    h.send(0, AUTH_GET);
    h.send(1, OK);
    const tx = only(h.reported);
    const d = doc(tx);
    expect(d['http.request.headers.authorization']).to.equal('Basic c2ltcGxlc2ltb246YWJjZDEyMys=');
    expect(d['http.request.headers.cookie']).to.equal('sid="abc"; theme=dark');
    expect(d['user.name']).to.equal('simplesimon');
    expect(tx.user).to.equal('simplesimon');
  });

  it('split_cookie splits Cookie (requests) and Set-Cookie (responses)', () => {
    const h = harness({ send_all_headers: true, split_cookie: true });
    h.send(0, AUTH_GET);
    h.send(1, OK);
    const d = doc(only(h.reported));
    expect(d['http.request.headers.cookie.sid']).to.equal('abc');
    expect(d['http.request.headers.cookie.theme']).to.equal('dark');
    expect(d['http.response.headers.set-cookie.id']).to.equal('1');
    expect(d['http.response.headers.set-cookie.path']).to.equal('/');
  });

  it('redact_authorization stars out the raw header and the captured value, and gives no user.name', () => {
    const h = harness({ send_all_headers: true, redact_authorization: true, send_request: true });
    h.send(0, AUTH_GET.replace('X-Api-Key: k', 'Proxy-Authorization: Basic eDp5'));
    h.send(1, OK);
    const tx = only(h.reported);
    const d = doc(tx);
    expect(d['http.request.headers.authorization']).to.equal('*');
    expect(d['http.request.headers.proxy-authorization']).to.equal('*');
    expect(d['user.name']).to.equal(undefined);
    expect(tx.request).to.contain(`\r\nAuthorization:${'*'.repeat(' Basic c2ltcGxlc2ltb246YWJjZDEyMys='.length)}\r\n`);
    expect(tx.request).to.contain('Proxy-Authorization:***********\r\n');
    expect(tx.request).not.to.contain('c2ltcGxl');
  });

  it('redact_headers replaces captured values with REDACTED', () => {
    const h = harness({ send_all_headers: true, redact_headers: ['X-API-KEY', 'server'] });
    h.send(0, AUTH_GET);
    h.send(1, OK);
    const d = doc(only(h.reported));
    expect(d['http.request.headers.x-api-key']).to.equal('REDACTED');
    expect(d['http.response.headers.server']).to.equal('REDACTED');
  });

  it('real_ip_header publishes network.forwarded_ip (first address of the list)', () => {
    const h = harness({ real_ip_header: 'X-Forwarded-For' });
    h.send(0, 'GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 192.0.2.7, 10.1.1.1\r\n\r\n');
    h.send(1, OK);
    expect(doc(only(h.reported))['network.forwarded_ip']).to.equal('192.0.2.7');
  });

  it('hide_keywords hides query and url-encoded form values in url.query (keys sorted)', () => {
    const h = harness({ hide_keywords: ['password', 'pin'] });
    h.send(0, AUTH_GET);
    h.send(1, OK);
    expect(doc(only(h.reported))['url.query']).to.equal('password=xxxxx&user=bob');

    const h2 = harness({ hide_keywords: ['pin'] });
    const body = 'name=J%C3%B6rg+M&pin=1234&z=1';
    h2.send(0, `POST /login?a=b HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    h2.send(1, OK);
    const d = doc(only(h2.reported));
    expect(d['url.query']).to.equal('a=b&name=J%C3%B6rg+M&pin=xxxxx&z=1');
    // the form is read but not published without include_body_for
    expect(d['http.request.body.content']).to.equal(undefined);
    expect(d['http.request.body.bytes']).to.equal(body.length);
  });

  it('include_body_for / include_request_body_for / include_response_body_for choose published bodies', () => {
    const run = (cfg: Parameters<typeof harness>[0]): Record<string, unknown> => {
      const h = harness(cfg);
      h.send(0, 'POST /api HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"q":"x"}');
      h.send(1, 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 13\r\n\r\n<html></html>');
      return doc(only(h.reported));
    };
    const none = run({});
    expect(none['http.request.body.content']).to.equal(undefined);
    expect(none['http.response.body.content']).to.equal(undefined);
    expect(none['http.response.body.bytes']).to.equal(13);

    const both = run({ include_body_for: ['json', 'text/html'] });
    expect(both['http.request.body.content']).to.equal('{"q":"x"}');
    expect(both['http.request.mime_type']).to.equal('application/json');
    expect(both['http.response.body.content']).to.equal('<html></html>');
    expect(both['http.response.mime_type']).to.equal('text/html; charset=utf-8');

    const req = run({ include_request_body_for: ['json'] });
    expect(req['http.request.body.content']).to.equal('{"q":"x"}');
    expect(req['http.response.body.content']).to.equal(undefined);

    const resp = run({ include_response_body_for: ['html'] });
    expect(resp['http.request.body.content']).to.equal(undefined);
    expect(resp['http.response.body.content']).to.equal('<html></html>');
  });

  it('send_request / send_response publish the raw text (body only when included)', () => {
    const h = harness({ send_request: true, send_response: true, include_response_body_for: ['text'] });
    const req = 'POST /x HTTP/1.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\nabc';
    const resp = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';
    h.send(0, req);
    h.send(1, resp);
    const tx = only(h.reported);
    expect(tx.request).to.equal(req.slice(0, -3));
    expect(tx.response).to.equal(resp);

    const quiet = harness();
    quiet.send(0, req);
    quiet.send(1, resp);
    expect(only(quiet.reported).request).to.equal(undefined);
    expect(only(quiet.reported).response).to.equal(undefined);
  });

  it('max_message_size truncates kept bodies with a note, and drops oversized headers', () => {
    const h = harness({ include_body_for: ['text'], max_message_size: 64 });
    h.send(0, GET_SMALL);
    const body = 'y'.repeat(100);
    h.send(1, `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n${body}`, 10);
    const tx = only(h.reported);
    expect(doc(tx)['http.response.body.content']).to.equal('y'.repeat(64));
    expect(tx.responseBytes).to.equal(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n`.length + 100);
    expect(tx.notes).to.deep.equal(['Body truncated to max_message_size (64 bytes)']);

    const h2 = harness({ max_message_size: 64 });
    h2.send(0, `GET / HTTP/1.1\r\nX-Big: ${'z'.repeat(200)}\r\n\r\n`, 16);
    h2.send(0, GET_SMALL);
    h2.send(1, OK);
    const tx2 = only(h2.reported);
    expect(tx2.query).to.equal('GET /small');
    expect(tx2.notes).to.deep.equal(['Dropped request: headers larger than max_message_size']);
  });

  it('transaction_timeout expires unanswered requests on expire(now)', () => {
    const h = harness({ transaction_timeout: 1000 });
    h.at(1_000_000).send(0, GET_SMALL);
    h.at(1_500_000).expire();
    expect(h.reported).to.have.length(0);
    h.at(2_000_001).expire();
    const tx = only(h.reported);
    expect(tx.status).to.equal('Error');
    expect(tx.notes).to.deep.equal(['Unmatched request']);
    expect(tx.end).to.equal(undefined);
    expect(h.counters['unmatched_requests']).to.equal(1);
  });
});

const GET_SMALL = 'GET /small HTTP/1.1\r\nHost: a\r\n\r\n';
