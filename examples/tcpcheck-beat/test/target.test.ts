import { expect } from 'chai';
import { parseTarget, type TcpTarget } from '../src/target.js';

describe('tcpcheck: parseTarget', () => {
  it('parses host:port', () => {
    expect(parseTarget('example.com:443')).to.deep.equal({
      host: 'example.com',
      port: 443,
      url: 'tcp://example.com:443',
      id: 'auto-tcp-example.com:443',
    });
  });

  it('accepts a tcp:// prefix and surrounding spaces', () => {
    expect((parseTarget(' tcp://127.0.0.1:9200 ') as TcpTarget).url).to.equal('tcp://127.0.0.1:9200');
  });

  it('parses bracketed IPv6 addresses', () => {
    const t = parseTarget('[::1]:5601') as TcpTarget;
    expect(t.host).to.equal('::1');
    expect(t.port).to.equal(5601);
    expect(t.url).to.equal('tcp://[::1]:5601');
  });

  it('rejects what is not host:port', () => {
    for (const bad of ['localhost', ':80', 'host:', 'host:http', 'host:0', 'host:65536', '::1:80', 'a b:80']) {
      expect(parseTarget(bad), bad).to.be.a('string');
    }
  });
});
