import { expect } from 'chai';
import { buildUrl, encodeQuery, parseQuery, pathEscape, queryEscape, splitHostHeader, splitRequestUri } from '../../../src/protocols/http/url.js';
import { basicAuthUser } from '../../../src/protocols/http/redact.js';
import { detectMimeType } from '../../../src/protocols/http/mime.js';

describe('http plugin: url, auth and mime helpers', () => {
  it('escapes like Go (QueryEscape, path escaping)', () => {
    expect(queryEscape("a b&c=d/é!*'()")).to.equal('a+b%26c%3Dd%2F%C3%A9%21%2A%27%28%29');
    expect(pathEscape('/a b/c;d=e@f?g')).to.equal('/a%20b/c;d=e@f%3Fg');
  });

  it('parses and re-encodes queries sorted by key, skipping bad pairs', () => {
    const v = parseQuery('b=2&a=1&a=0&bad=%zz&x;y=1&flag&sp=a+b');
    expect(encodeQuery(v)).to.equal('a=1&a=0&b=2&flag=&sp=a+b');
  });

  it('splits request targets like url.Parse', () => {
    expect(splitRequestUri('/p%20q?x=1#frag')).to.deep.equal({ path: '/p q', rawQuery: 'x=1' });
    expect(splitRequestUri('http://h:81/a?b')).to.deep.equal({ path: '/a', rawQuery: 'b' });
    expect(splitRequestUri('*')).to.deep.equal({ path: '*', rawQuery: '' });
    // CONNECT targets: Go reads `example.com:` as a scheme (empty path), and fails on `1.2.3.4:443`
    expect(splitRequestUri('example.com:443')).to.deep.equal({ path: '', rawQuery: '' });
    expect(splitRequestUri('1.2.3.4:443')).to.equal(null);
    expect(splitRequestUri('/bad%zz')).to.equal(null);
  });

  it('splits Host headers', () => {
    expect(splitHostHeader('example.com:8080')).to.deep.equal({ host: 'example.com', port: 8080 });
    expect(splitHostHeader('[::1]:81')).to.deep.equal({ host: '::1', port: 81 });
    expect(splitHostHeader('::1')).to.deep.equal({ host: '::1', port: 0 });
    expect(splitHostHeader('h:99999')).to.deep.equal({ host: 'h:99999', port: 0 });
  });

  it('builds url.* as Packetbeat does', () => {
    expect(buildUrl('www.example.com', 80, '/', '')).to.deep.equal({ scheme: 'http', domain: 'www.example.com', path: '/', full: 'http://www.example.com/' });
    expect(buildUrl('::1', 8080, '/a b.tar.gz', 'q=1')).to.deep.equal({
      scheme: 'http',
      domain: '::1',
      path: '/a b.tar.gz',
      query: 'q=1',
      port: 8080,
      extension: 'gz',
      full: 'http://[::1]:8080/a%20b.tar.gz?q=1',
    });
    expect(buildUrl('', 80, '/x', '')).to.deep.equal({ scheme: 'http', path: '/x' });
  });

  it('reads the Basic auth user', () => {
    expect(basicAuthUser('Basic c2ltcGxlc2ltb246YWJjZDEyMys=')).to.equal('simplesimon');
    expect(basicAuthUser('basic dTpw')).to.equal('u');
    expect(basicAuthUser('Bearer abc')).to.equal('');
    expect(basicAuthUser('Basic !!!')).to.equal('');
    expect(basicAuthUser('Basic bm9jb2xvbg==')).to.equal('');
    expect(basicAuthUser(undefined)).to.equal('');
  });

  it('detects mime types from content', () => {
    expect(detectMimeType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).to.equal('image/png');
    expect(detectMimeType(Buffer.from('  <!DOCTYPE html><html>'))).to.equal('text/html; charset=utf-8');
    expect(detectMimeType(Buffer.from('<?xml version="1.0"?><a/>'))).to.equal('text/xml; charset=utf-8');
    expect(detectMimeType(Buffer.from('[1,2]'))).to.equal('application/json');
    expect(detectMimeType(Buffer.from('just words'))).to.equal('text/plain; charset=utf-8');
    expect(detectMimeType(Buffer.from([0, 1, 2, 3]))).to.equal('');
  });
});
