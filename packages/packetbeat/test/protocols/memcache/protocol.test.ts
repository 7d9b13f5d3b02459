import { expect } from 'chai';
import { bin, CLIENT, harness, SERVER, u32, u64, udpFrame } from './harness.js';

describe('memcache text protocol', () => {
  it('parses every store command, gets/cas with cas_unique, and splits at every byte', () => {
    for (const split of [undefined, 1, 3, 7]) {
      const h = harness();
      h.send(CLIENT, 'add a 1 0 2\r\nhi\r\nreplace a 1 0 2\r\nho\r\nappend a 0 0 1\r\n!\r\nprepend a 0 0 1\r\n<\r\n', split);
      h.send(SERVER, 'STORED\r\nSTORED\r\nNOT_STORED\r\nSTORED\r\n', split);
      h.send(CLIENT, 'gets a\r\n', split);
      h.send(SERVER, 'VALUE a 1 4 42\r\n<ho!\r\nEND\r\n', split);
      h.send(CLIENT, 'cas a 0 0 1 42\r\nx\r\n', split);
      h.send(SERVER, 'EXISTS\r\n', split);
      expect(h.reported.map((t) => t.status)).to.deep.equal(['OK', 'OK', 'Error', 'OK', 'OK', 'OK']);
      expect(h.reported.map((t) => h.mc(h.reported.indexOf(t)).request?.['command'])).to.deep.equal(['add', 'replace', 'append', 'prepend', 'gets', 'cas']);
      expect(h.mc(2).response).to.include({ command: 'NOT_STORED', type: 'Fail' });
      expect(h.mc(4).response).to.include({ command: 'VALUE', cas_unique: 42, bytes: 4, count_values: 1, flags: 1 });
      expect(h.mc(5).request).to.include({ command: 'cas', cas_unique: 42, bytes: 1 });
      expect(h.reported[4]?.requestBytes).to.equal(8);
      expect(h.reported[4]?.responseBytes).to.equal(27);
    }
  });

  it('touch, flush_all, verbosity, version, slabs, lru_crawler, stats with arguments', () => {
    const h = harness();
    h.send(CLIENT, 'touch k 100\r\nflush_all\r\nverbosity 1\r\nversion\r\nslabs reassign 1 -1\r\nslabs automove 2\r\nlru_crawler sleep 50\r\nstats items\r\n');
    h.send(SERVER, 'TOUCHED\r\nOK\r\nOK\r\nVERSION 1.6.21\r\nOK\r\nOK\r\nOK\r\nSTAT items:1:number 5\r\nEND\r\n');
    expect(h.reported).to.have.length(8);
    expect(h.mc(0).request).to.include({ command: 'touch', type: 'Store', exptime: 100 });
    expect(h.mc(0).response).to.include({ command: 'TOCHED', type: 'Success' });
    expect(h.mc(1).request).to.include({ command: 'flush_all', type: 'Delete', exptime: 0 });
    expect(h.mc(2).request).to.include({ command: 'verbosity', verbosity: 1 });
    expect(h.mc(3).request).to.include({ command: 'version', type: 'Info' });
    expect(h.mc(3).response).to.include({ command: 'VERSION', type: 'Info' });
    expect(h.mc(4).request).to.include({ command: 'slabs reassign', source_class: 1, dest_class: -1 });
    expect(h.mc(5).request).to.include({ command: 'slabs automove', automove: 'aggressive' });
    expect(h.mc(6).request).to.include({ command: 'lru_crawler sleep', sleep_us: 50, type: 'LRUCrawler' });
    expect(h.mc(7).request).to.include({ command: 'stats', raw_args: 'items' });
    expect(h.mc(7).response?.['stats']).to.deep.equal([{ name: 'items:1:number', value: '5' }]);
    expect(h.reported[7]?.fields['event']).to.deep.equal({ action: 'memcache.stats', outcome: 'success' });
  });

  it('maps error responses to statuses and error_msg', () => {
    const h = harness();
    h.send(CLIENT, 'get a\r\nget b\r\nget c\r\nincr x 1\r\n');
    h.send(SERVER, 'CLIENT_ERROR bad data chunk\r\nSERVER_ERROR out of memory\r\nERROR\r\nNOT_FOUND\r\n');
    expect(h.reported.map((t) => t.status)).to.deep.equal(['Client Error', 'Server Error', 'Error', 'Error']);
    expect(h.mc(0).response).to.include({ command: 'CLIENT_ERROR', type: 'Fail', error_msg: 'bad data chunk' });
  });

  it('noreply requests and quit are reported without waiting', () => {
    const h = harness();
    h.send(CLIENT, 'set a 0 0 1 noreply\r\nx\r\ndelete a noreply\r\nincr c 1 noreply\r\nquit\r\n');
    expect(h.reported.map((t) => [t.status, h.mc(h.reported.indexOf(t)).request?.['noreply']])).to.deep.equal([['OK', true], ['OK', true], ['OK', true], ['OK', false]]);
    expect(h.state.idle).to.equal(true);
  });

  it('unknown commands drop the stream unless parseunknown', () => {
    const h = harness();
    h.send(CLIENT, 'frobnicate x\r\n');
    h.send(SERVER, 'FROB\r\n');
    expect(h.reported).to.have.length(0);
    const p = harness({ parseunknown: true });
    p.send(CLIENT, 'frobnicate x y\r\n');
    p.send(SERVER, 'FROB\r\n');
    expect(p.reported).to.have.length(1);
    expect(p.mc(0).request).to.deep.equal({ line: 'frobnicate x y', command: 'UNKNOWN', type: 'UNKNOWN' });
  });

  it('reports an orphan response as Client Error, and unanswered requests at close', () => {
    const h = harness();
    h.send(SERVER, 'STORED\r\n');
    expect(h.reported[0]?.status).to.equal('Client Error');
    expect(h.reported[0]?.notes).to.deep.equal(['Invalid transaction. Request missing']);
    h.send(CLIENT, 'get a\r\n');
    h.close();
    expect(h.reported[1]?.status).to.equal('Server Error');
    expect(h.reported[1]?.notes).to.deep.equal(['Unfinished transaction']);
    expect(h.counters).to.deep.equal({ unmatched_responses: 1, unfinished_transactions: 1 });
  });

  it('reports waiting requests after transaction_timeout without traffic', () => {
    const h = harness({ transaction_timeout: 1000 });
    h.at(1_000_000).send(CLIENT, 'get a\r\n');
    h.expire(1_500_000);
    expect(h.reported).to.have.length(0);
    h.expire(2_000_001);
    expect(h.reported).to.have.length(1);
    expect(h.reported[0]?.status).to.equal('Server Error');
  });

  it('keeps going after a gap inside a value, and drops the stream after a gap elsewhere', () => {
    const h = harness();
    h.send(CLIENT, 'set a 0 0 10\r\n01');
    expect(h.gap(CLIENT, 5)).to.equal(true);
    h.send(CLIENT, '789\r\n');
    h.send(SERVER, 'STORED\r\n');
    expect(h.reported).to.have.length(1);
    expect(h.reported[0]?.notes).to.deep.equal(['Packet loss while capturing the request']);
    expect(h.mc(0).request).to.include({ bytes: 10, count_values: 1 });
    expect(h.reported[0]?.requestBytes).to.equal(26 - 5);
    h.send(CLIENT, 'get a\r\n');
    expect(h.gap(CLIENT, 3)).to.equal(false);
    expect(h.reported).to.have.length(2);
    expect(h.state.buffered).to.equal(0);
  });

  it('send_request / send_response publish the raw text', () => {
    const h = harness({ send_request: true, send_response: true });
    h.send(CLIENT, 'get a b\r\n');
    h.send(SERVER, 'VALUE a 0 1\r\nx\r\nVALUE b 0 1\r\ny\r\nEND\r\n');
    expect(h.reported[0]?.request).to.equal('get a b\r\n');
    expect(h.reported[0]?.response).to.equal('VALUE a 0 1\r\nx\r\nVALUE b 0 1\r\ny\r\nEND\r\n');
  });

  it('a value larger than the stream cap drops the stream without buffering it', () => {
    const h = harness();
    h.send(CLIENT, 'set big 0 0 20000000\r\n');
    const chunk = new Uint8Array(1 << 20);
    for (let i = 0; i < 12; i++) h.send(CLIENT, chunk);
    expect(h.state.buffered).to.be.at.most(10 * 1024 * 1024);
  });
});

describe('memcache binary protocol', () => {
  it('matches by opaque and opcode; quiet gets without a hit are OK; a missed non-quiet response is noted', () => {
    const h = harness();
    h.send(CLIENT, bin({ opcode: 0x09, key: 'miss', opaque: 1 }));
    h.send(CLIENT, bin({ opcode: 0x09, key: 'hit', opaque: 2 }));
    h.send(CLIENT, bin({ opcode: 0x00, key: 'lost', opaque: 3 }));
    h.send(CLIENT, bin({ opcode: 0x0a, opaque: 4 }));
    h.send(SERVER, bin({ magic: 0x81, opcode: 0x09, opaque: 2, extras: u32(7), value: 'abc', cas: 9 }));
    h.send(SERVER, bin({ magic: 0x81, opcode: 0x0a, opaque: 4 }));
    expect(h.reported).to.have.length(4);
    expect(h.mc(0).request).to.include({ opcode: 'GetQ', quiet: true, opaque: 1 });
    expect(h.mc(0).response).to.equal(undefined);
    expect(h.reported[0]?.status).to.equal('OK');
    expect(h.mc(1).response).to.include({ opcode: 'GetQ', flags: 7, count_values: 1, bytes: 3, cas_unique: 9, status: 'Success' });
    expect(h.reported[2]?.notes).to.deep.equal(['Missing response for non-quiet request']);
    expect(h.reported[2]?.status).to.equal('Server Error');
    expect(h.mc(3).request).to.include({ command: 'noop', opcode: 'No-op' });
    expect(h.counters['unmatched_requests']).to.equal(1);
  });

  it('counters, version, touch, flush, verbosity, SASL and unknown opcodes', () => {
    const h = harness();
    const exchange = (req: Uint8Array, resp: Uint8Array): void => {
      h.send(CLIENT, req);
      h.send(SERVER, resp);
    };
    exchange(bin({ opcode: 0x05, key: 'c', extras: [...u64(3), ...u64(10), ...u32(0)], opaque: 1 }), bin({ magic: 0x81, opcode: 0x05, opaque: 1, value: Uint8Array.from(u64(13)) }));
    exchange(bin({ opcode: 0x0b, opaque: 2 }), bin({ magic: 0x81, opcode: 0x0b, opaque: 2, value: '1.6.21' }));
    exchange(bin({ opcode: 0x1c, key: 't', extras: u32(60), opaque: 3 }), bin({ magic: 0x81, opcode: 0x1c, opaque: 3 }));
    exchange(bin({ opcode: 0x08, extras: u32(5), opaque: 4 }), bin({ magic: 0x81, opcode: 0x08, opaque: 4 }));
    exchange(bin({ opcode: 0x1b, extras: u32(2), opaque: 5 }), bin({ magic: 0x81, opcode: 0x1b, opaque: 5, status: 0x81 }));
    exchange(bin({ opcode: 0x20, opaque: 6 }), bin({ magic: 0x81, opcode: 0x20, opaque: 6, value: 'PLAIN' }));
    exchange(bin({ opcode: 0x77, opaque: 7 }), bin({ magic: 0x81, opcode: 0x77, opaque: 7, status: 0x81 }));
    expect(h.reported).to.have.length(7);
    expect(h.mc(0).request).to.include({ command: 'incr', delta: 3, initial: 10, exptime: 0 });
    expect(h.mc(0).response).to.include({ value: 13 });
    expect(h.mc(1).response).to.include({ command: 'version', version: '1.6.21' });
    expect(h.mc(2).request).to.include({ command: 'touch', opcode: 'Touch', exptime: 60 });
    expect(h.mc(3).request).to.include({ command: 'delete', opcode: 'Flush', exptime: 5 });
    expect(h.mc(4).request).to.include({ command: 'verbosity', verbosity: 2 });
    expect(h.reported[4]?.status).to.equal('Server Error');
    expect(h.mc(4).response).to.include({ status: 'Unknown command', status_code: 0x81 });
    expect(h.mc(5).request).to.include({ command: 'sasl_list', type: 'Auth' });
    expect(h.mc(6).request).to.include({ command: 'UNKNOWN', type: 'UNKNOWN', opcode: '', opcode_value: 0x77 });
  });

  it('QuitQ is reported at once; binary stats merge until the empty terminator', () => {
    const h = harness();
    h.send(CLIENT, bin({ opcode: 0x10, opaque: 9 }));
    h.send(SERVER, bin({ magic: 0x81, opcode: 0x10, opaque: 9, key: 'pid', value: '42' }), 5);
    h.send(SERVER, bin({ magic: 0x81, opcode: 0x10, opaque: 9, key: 'uptime', value: '7' }));
    expect(h.reported).to.have.length(0);
    h.send(SERVER, bin({ magic: 0x81, opcode: 0x10, opaque: 9 }));
    expect(h.mc(0).response?.['stats']).to.deep.equal([{ name: 'pid', value: '42' }, { name: 'uptime', value: '7' }]);
    expect(h.reported[0]?.responseBytes).to.equal(24 * 3 + 5 + 7);
    h.send(CLIENT, bin({ opcode: 0x17 }));
    expect(h.reported).to.have.length(2);
    expect(h.reported[1]?.status).to.equal('OK');
  });

  it('a length field smaller than key+extras drops the stream', () => {
    const h = harness();
    const bad = bin({ opcode: 0x00, key: 'abc' });
    bad[11] = 1;
    h.send(CLIENT, bad);
    expect(h.state.buffered).to.equal(0);
    expect(h.reported).to.have.length(0);
  });
});

describe('memcache over UDP', () => {
  it('pairs request and response by request id, and reassembles multi-datagram responses', () => {
    const h = harness();
    h.datagram(CLIENT, 'get a b\r\n', { id: 5 });
    h.datagram(CLIENT, 'get c\r\n', { id: 6 });
    // memcached 1.6 sends an empty frame counting 0 datagrams first.
    h.datagram(SERVER, '', { id: 5, seq: 0, count: 0 });
    const resp = Buffer.from('VALUE a 0 3\r\nabc\r\nVALUE b 0 2\r\nde\r\nEND\r\n', 'latin1');
    h.datagram(SERVER, resp.subarray(20), { id: 5, seq: 1, count: 2 });
    expect(h.reported).to.have.length(0);
    h.datagram(SERVER, resp.subarray(0, 20), { id: 5, seq: 0, count: 2 });
    h.datagram(SERVER, 'END\r\n', { id: 6 });
    expect(h.reported).to.have.length(2);
    expect(h.reported[0]?.conn.transport).to.equal('udp');
    expect(h.mc(0).response).to.include({ command: 'VALUE', count_values: 2, bytes: 5 });
    expect(h.mc(0).response?.['keys']).to.deep.equal(['a', 'b']);
    expect(h.reported[0]?.responseBytes).to.equal(resp.length);
    expect(h.mc(1).response).to.include({ command: 'END' });
  });

  it('udptransactiontimeout reports unanswered requests; short or inconsistent datagrams are ignored', () => {
    const h = harness({ udptransactiontimeout: '100ms' });
    h.at(1_000_000).datagram(CLIENT, bin({ opcode: 0x11, key: 'k', extras: [...u32(0), ...u32(0)], value: 'v' }), { id: 1 });
    h.datagram(CLIENT, Uint8Array.from([1, 2, 3]), 'raw');
    h.datagram(CLIENT, 'get x\r\n', { id: 2, seq: 3, count: 2 });
    h.expire(1_050_000);
    expect(h.reported).to.have.length(0);
    h.expire(1_100_000);
    expect(h.reported).to.have.length(1);
    expect(h.reported[0]?.status).to.equal('OK');
    expect(h.mc(0).request).to.include({ opcode: 'SetQ', quiet: true });
    const frame = udpFrame(1, 0, 1, Buffer.from('get q\r\n'));
    h.datagram(CLIENT, frame, 'raw');
    h.expire();
    expect(h.reported[1]?.status).to.equal('Server Error');
  });
});
