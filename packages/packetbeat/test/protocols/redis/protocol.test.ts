import { expect } from 'chai';
import { command, harness, summary } from './harness.js';

const SPLITS = ['whole', 'bytes', 3] as const;

describe('redis plugin: requests and responses', () => {
  for (const split of SPLITS) {
    it(`pairs SET/GET and publishes method, resource, query and return_value (split ${split})`, () => {
      const h = harness();
      h.at(1_000_000).req(command('set', 'key3', 'me'), split);
      h.at(1_000_500).resp('+OK\r\n', split);
      h.at(2_000_000).req(command('GET', 'key3'), split);
      h.at(2_000_100).resp('$2\r\nme\r\n', split);
      expect(h.reported.map(summary)).to.deep.equal([
        { status: 'OK', method: 'SET', resource: 'key3', query: 'set key3 me', return_value: 'OK' },
        { status: 'OK', method: 'GET', resource: 'key3', query: 'GET key3', return_value: 'me' },
      ]);
      const [first] = h.reported;
      expect(first?.start).to.equal(1_000_000);
      expect(first?.end).to.equal(1_000_500);
      expect(first?.requestBytes).to.equal(command('set', 'key3', 'me').length);
      expect(first?.responseBytes).to.equal(5);
      expect(first?.type).to.equal('redis');
    });
  }

  it('reports an error reply as status Error with redis.error', () => {
    const h = harness();
    h.req(command('llen', 'key3')).resp('-ERR Operation against a key holding the wrong kind of value\r\n');
    expect(h.reported.map(summary)).to.deep.equal([
      { status: 'Error', method: 'LLEN', resource: 'key3', query: 'llen key3', error: 'ERR Operation against a key holding the wrong kind of value' },
    ]);
  });

  it('formats integers, nil bulk strings, nil and nested arrays as Packetbeat does', () => {
    const h = harness();
    h.req(command('incr', 'n')).resp(':42\r\n');
    h.req(command('get', 'missing')).resp('$-1\r\n');
    h.req(command('lrange', 'l', '0', '-1')).resp('*3\r\n$1\r\na\r\n:2\r\n*2\r\n$1\r\nb\r\n$-1\r\n');
    h.req(command('blpop', 'l', '1')).resp('*-1\r\n');
    h.req(command('keys', 'none*')).resp('*0\r\n');
    h.req(command('set', 'empty', '')).resp('+OK\r\n');
    expect(h.reported.map((t) => summary(t)['return_value'])).to.deep.equal(['42', 'nil', '[a, 2, [b, nil]]', 'nil', '[]', 'OK']);
    expect(h.reported[5]?.query).to.equal('set empty ');
  });

  it('publishes resource "" for a command without arguments', () => {
    const h = harness();
    h.req(command('PING')).resp('+PONG\r\n');
    expect(summary(h.reported[0]!)).to.deep.equal({ status: 'OK', method: 'PING', resource: '', query: 'PING', return_value: 'PONG' });
  });

  it('decodes binary-safe bulk strings containing CRLF', () => {
    const h = harness();
    h.req(command('set', 'k', 'a\r\nb')).resp('+OK\r\n');
    h.req(command('get', 'k')).resp('$4\r\na\r\nb\r\n', 'bytes');
    expect(h.reported.map((t) => summary(t)['return_value'])).to.deep.equal(['OK', 'a\r\nb']);
    expect(h.reported[0]?.query).to.equal('set k a\r\nb');
  });

  it('accepts inline commands with quotes', () => {
    const h = harness();
    h.req('PING\r\n').resp('+PONG\r\n');
    h.req('\r\nset greeting "hello world" \'x y\'\n').resp('+OK\r\n');
    h.req('EXISTS greeting\r\n', 'bytes').resp(':1\r\n');
    expect(h.reported.map(summary)).to.deep.equal([
      { status: 'OK', method: 'PING', resource: '', query: 'PING', return_value: 'PONG' },
      { status: 'OK', method: 'SET', resource: 'greeting', query: 'set greeting hello world x y', return_value: 'OK' },
      { status: 'OK', method: 'EXISTS', resource: 'greeting', query: 'EXISTS greeting', return_value: '1' },
    ]);
    expect(h.reported[0]?.requestBytes).to.equal(6);
  });

  it('matches pipelined requests to responses in order', () => {
    const h = harness();
    const pipeline = [command('set', 'a', '1'), command('incr', 'a'), command('get', 'a'), command('del', 'a')].join('');
    h.at(10).req(pipeline);
    h.at(20).resp('+OK\r\n:2\r\n$1\r\n2\r\n:1\r\n', 2);
    expect(h.reported.map((t) => `${t.method} ${String(summary(t)['return_value'])}`)).to.deep.equal(['SET OK', 'INCR 2', 'GET 2', 'DEL 1']);
    expect(h.reported.map((t) => t.requestBytes)).to.deep.equal([command('set', 'a', '1').length, command('incr', 'a').length, command('get', 'a').length, command('del', 'a').length]);
    expect(h.reported.map((t) => t.responseBytes)).to.deep.equal([5, 4, 7, 4]);
    expect(h.state.pending).to.equal(0);
  });

  it('reports each command of MULTI/EXEC, EXEC with the array of results', () => {
    const h = harness();
    h.req(command('MULTI')).resp('+OK\r\n');
    h.req(command('set', 'k', 'v')).resp('+QUEUED\r\n');
    h.req(command('incr', 'k')).resp('+QUEUED\r\n');
    h.req(command('EXEC')).resp('*2\r\n+OK\r\n-ERR value is not an integer or out of range\r\n');
    expect(h.reported.map((t) => `${t.method}|${t.status}|${String(summary(t)['return_value'])}`)).to.deep.equal([
      'MULTI|OK|OK',
      'SET|OK|QUEUED',
      'INCR|OK|QUEUED',
      'EXEC|OK|[OK, ERR value is not an integer or out of range]',
    ]);
  });

  it('drops responses with no request (counted), as Packetbeat does', () => {
    const h = harness();
    h.resp('+OK\r\n');
    expect(h.reported).to.have.length(0);
    expect(h.counters['unmatched_responses']).to.equal(1);
  });

  it('adds request/response text with send_request and send_response', () => {
    const h = harness({ send_request: true, send_response: true });
    h.req(command('get', 'k')).resp('$3\r\nabc\r\n');
    expect(h.reported[0]?.request).to.equal('get k');
    expect(h.reported[0]?.response).to.equal('abc');
    const plain = harness();
    plain.req(command('get', 'k')).resp('$3\r\nabc\r\n');
    expect(plain.reported[0]).to.not.have.property('request');
    expect(plain.reported[0]).to.not.have.property('response');
  });
});

describe('redis plugin: RESP3', () => {
  it('decodes maps, sets, doubles, booleans, big numbers, verbatim strings, nulls and blob errors', () => {
    const h = harness();
    h.req(command('HELLO', '3')).resp('%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n', 'bytes');
    h.req(command('smembers', 's')).resp('~2\r\n+a\r\n+b\r\n');
    h.req(command('zscore', 'z', 'm')).resp(',3.14\r\n');
    h.req(command('exists', 'k')).resp('#t\r\n');
    h.req(command('x', 'k')).resp('(3492890328409238509324850943850943825024385\r\n');
    h.req(command('info', 'cpu')).resp('=15\r\ntxt:Some string\r\n');
    h.req(command('get', 'nope')).resp('_\r\n');
    h.req(command('bad', 'k')).resp('!21\r\nSYNTAX invalid syntax\r\n');
    expect(h.reported.map((t) => `${t.status}|${JSON.stringify(t.fields['redis'])}`)).to.deep.equal([
      'OK|{"return_value":"{server: redis, proto: 3}"}',
      'OK|{"return_value":"[a, b]"}',
      'OK|{"return_value":"3.14"}',
      'OK|{"return_value":"true"}',
      'OK|{"return_value":"3492890328409238509324850943850943825024385"}',
      'OK|{"return_value":"Some string"}',
      'OK|{"return_value":"nil"}',
      'Error|{"error":"SYNTAX invalid syntax"}',
    ]);
  });

  it('skips attributes and decodes streamed strings and aggregates', () => {
    const h = harness();
    h.req(command('get', 'k')).resp('|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n$3\r\nabc\r\n');
    h.req(command('get', 'big')).resp('$?\r\n;4\r\nHell\r\n;6\r\no worl\r\n;1\r\nd\r\n;0\r\n', 'bytes');
    h.req(command('lrange', 'l', '0', '-1')).resp('*?\r\n:1\r\n:2\r\n.\r\n');
    expect(h.reported.map((t) => summary(t)['return_value'])).to.deep.equal(['abc', 'Hello world', '[1, 2]']);
    expect(h.reported[0]?.responseBytes).to.equal('|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n$3\r\nabc\r\n'.length);
  });

  it('does not let an out-of-band push (client tracking invalidation) take a reply', () => {
    const h = harness();
    h.req(command('get', 'k'));
    h.resp('>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n');
    h.resp('$1\r\nv\r\n');
    expect(h.reported.map(summary)).to.deep.equal([{ status: 'OK', method: 'GET', resource: 'k', query: 'get k', return_value: 'v' }]);
    expect(h.counters['push_messages']).to.equal(1);
  });
});

describe('redis plugin: pub/sub', () => {
  it('RESP2: SUBSCRIBE is answered by its first confirmation; pushed messages have no request and are not published', () => {
    const h = harness();
    h.req(command('SUBSCRIBE', 'c1', 'c2'));
    h.resp('*3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nc2\r\n:2\r\n');
    h.resp('*3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$5\r\nhello\r\n');
    h.resp('*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$2\r\nhi\r\n');
    h.req(command('PING')).resp('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    h.req(command('UNSUBSCRIBE'));
    h.resp('*3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nc2\r\n:0\r\n');
    expect(h.reported.map((t) => `${t.method}|${t.resource}|${String(summary(t)['return_value'])}`)).to.deep.equal([
      'SUBSCRIBE|c1|[subscribe, c1, 1]',
      'PING||[pong, ]',
      'UNSUBSCRIBE||[unsubscribe, c1, 1]',
    ]);
    expect(h.counters['push_messages']).to.equal(2);
    expect(h.counters['unmatched_responses']).to.equal(undefined);
  });

  it('keeps pipelined subscribes apart by their channel counts', () => {
    const h = harness();
    h.req(command('SUBSCRIBE', 'a', 'b') + command('SUBSCRIBE', 'c'));
    h.resp(['a', 'b', 'c'].map((c, i) => `*3\r\n$9\r\nsubscribe\r\n$1\r\n${c}\r\n:${i + 1}\r\n`).join(''));
    expect(h.reported.map((t) => String(summary(t)['return_value']))).to.deep.equal(['[subscribe, a, 1]', '[subscribe, c, 3]']);
  });

  it('RESP3: confirmations and messages arrive as pushes', () => {
    const h = harness();
    h.req(command('SUBSCRIBE', 'news'));
    h.resp('>3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n');
    h.resp('>3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n');
    h.req(command('GET', 'k')).resp('$1\r\nv\r\n');
    expect(h.reported.map((t) => `${t.method}|${String(summary(t)['return_value'])}`)).to.deep.equal(['SUBSCRIBE|[subscribe, news, 1]', 'GET|v']);
    expect(h.counters['push_messages']).to.equal(1);
  });
});

describe('redis plugin: limits, gaps, expiry', () => {
  it('queue_max_messages evicts the oldest requests (counted)', () => {
    const h = harness({ queue_max_messages: 2 });
    h.req(command('get', 'a') + command('get', 'b') + command('get', 'c'));
    expect(h.state.pending).to.equal(2);
    expect(h.counters['unmatched_requests']).to.equal(1);
    h.resp('$1\r\nB\r\n');
    expect(summary(h.reported[0]!)).to.include({ resource: 'b', return_value: 'B' });
  });

  it('queue_max_bytes bounds the queued request bytes', () => {
    const one = command('get', 'a').length;
    const h = harness({ queue_max_bytes: one * 3 });
    for (let i = 0; i < 10; i++) h.req(command('get', 'a'));
    expect(h.state.pending).to.equal(3);
    expect(h.state.queuedBytes).to.equal(one * 3);
    expect(h.counters['unmatched_requests']).to.equal(7);
  });

  it('drops a stream that is not RESP and resumes with the next segment', () => {
    const h = harness();
    h.req(command('get', 'a'));
    h.resp('HTTP/1.1 200 OK\r\n\r\n');
    expect(h.counters['parse_errors']).to.equal(1);
    h.resp('$1\r\nA\r\n');
    expect(summary(h.reported[0]!)).to.include({ method: 'GET', return_value: 'A' });
  });

  it('refuses absurd lengths without waiting for them', () => {
    const h = harness();
    h.req(command('get', 'a'));
    h.resp('$999999999999\r\n');
    expect(h.counters['parse_errors']).to.equal(1);
    expect(h.state.bufferedBytes).to.equal(0);
  });

  it('a gap forgets the connection state (as Packetbeat) and decoding restarts', () => {
    const h = harness();
    h.req(command('get', 'a'));
    h.resp('$10\r\nhel');
    expect(h.gap(1, 100)).to.equal(false);
    expect(h.state.pending).to.equal(0);
    h.req(command('get', 'b')).resp('$1\r\nB\r\n');
    expect(h.reported.map((t) => t.resource)).to.deep.equal(['b']);
  });

  it('expires unanswered requests after transaction_timeout without publishing them', () => {
    const h = harness({ transaction_timeout: 1000 });
    h.at(1_000_000).req(command('get', 'a'));
    h.at(1_500_000).req(command('get', 'b'));
    h.at(2_200_000).expire();
    expect(h.state.pending).to.equal(1);
    expect(h.counters['unmatched_requests']).to.equal(1);
    h.close();
    expect(h.counters['unmatched_requests']).to.equal(2);
    expect(h.reported).to.have.length(0);
  });

  it('a message start time is the packet where it began', () => {
    const h = harness();
    const get = command('get', 'a');
    h.at(100).req(get.slice(0, 5));
    h.at(200).req(get.slice(5) + command('get', 'b').slice(0, 3));
    h.at(300).req(command('get', 'b').slice(3));
    h.at(400).resp('$1\r\nA\r\n$1\r\nB\r\n');
    expect(h.reported.map((t) => [t.start, t.end])).to.deep.equal([
      [100, 400],
      [200, 400],
    ]);
  });
});
