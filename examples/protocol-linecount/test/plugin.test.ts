import { expect } from 'chai';
import { isProtocolPlugin, type ConnectionInfo, type Direction, type TcpHandlers, type Transaction } from '@packetbeat-ts/protocol-sdk';
import plugin, { type LinecountConnection } from '../src/index.js';

const conn: ConnectionInfo = { id: 1, transport: 'tcp', client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 7777 }, vlans: [] };

/** The plugin driven by hand, with a packet clock we set. */
function harness(config: { send_request?: boolean; send_response?: boolean; max_line_length?: number } = {}) {
  let now = 1_700_000_000_000_000;
  const reported: Transaction[] = [];
  const counters: Record<string, number> = {};
  const analyzer = plugin.create({
    config: {
      enabled: true,
      ports: [7777],
      send_request: config.send_request ?? false,
      send_response: config.send_response ?? false,
      transaction_timeout: 10_000,
      max_line_length: config.max_line_length ?? 4096,
    },
    now: () => now,
    report: (tx) => reported.push(tx),
    log: { debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false },
    counter: (name) => ({
      inc(n = 1) {
        counters[name] = (counters[name] ?? 0) + n;
      },
    }),
  });
  const tcp = analyzer.tcp as TcpHandlers<LinecountConnection>;
  const state = tcp.init(conn);
  return {
    reported,
    counters,
    send(dir: Direction, text: string): void {
      tcp.onData(state, conn, dir, new TextEncoder().encode(text));
    },
    at(us: number): void {
      now += us;
    },
    close(): void {
      tcp.onClose?.(state, conn, 'fin');
    },
    gap(dir: Direction, length: number): boolean {
      return tcp.onGap?.(state, conn, dir, length) ?? false;
    },
    expire(after: number): void {
      now += after;
      analyzer.expire?.(now);
    },
  };
}

describe('packetbeat-protocol-linecount: plugin', () => {
  it('is a branded plugin for SDK 1.x on tcp/7777', () => {
    expect(isProtocolPlugin(plugin)).to.equal(true);
    expect(plugin.name).to.equal('linecount');
    expect(plugin.sdkVersion).to.equal('^1.0.0');
    expect(plugin.defaultPorts).to.deep.equal([7777]);
  });

  it('pairs a request split across packets with its answer', () => {
    const h = harness();
    h.send(0, 'COUNT the qu');
    h.send(0, 'ick fox\r\n');
    h.at(250);
    h.send(1, '3\r\n');
    expect(h.reported).to.have.length(1);
    const tx = h.reported[0] as Transaction;
    expect(tx.status).to.equal('OK');
    expect(tx.method).to.equal('COUNT');
    expect(tx.query).to.equal('COUNT the quick fox');
    expect((tx.end ?? 0) - tx.start).to.equal(250);
    expect(tx.requestBytes).to.equal(21);
    expect(tx.responseBytes).to.equal(3);
    expect(tx.fields).to.deep.equal({ linecount: { request: { words: ['the', 'quick', 'fox'] }, response: { count: 3 } } });
    expect(tx.request).to.equal(undefined);
  });

  it('answers pipelined requests in order, ERR as status Error', () => {
    const h = harness({ send_request: true, send_response: true });
    h.send(0, 'COUNT a b\nCOUNT\nhello x\n');
    h.send(1, '2\nERR no words\nERR unknown command hello\n');
    expect(h.reported.map((t) => [t.method, t.status])).to.deep.equal([
      ['COUNT', 'OK'],
      ['COUNT', 'Error'],
      ['HELLO', 'Error'],
    ]);
    expect(h.reported[1]?.fields).to.deep.equal({ linecount: { request: { words: [] }, response: { error: 'no words' } } });
    expect(h.reported[2]?.request).to.equal('hello x\n');
    expect(h.reported[2]?.response).to.equal('ERR unknown command hello\n');
  });

  it('reports unmatched responses, malformed answers, unanswered requests and timeouts', () => {
    const h = harness();
    h.send(1, '5\n');
    h.send(0, 'COUNT a\n');
    h.send(1, 'what?\n');
    h.send(0, 'COUNT b\n');
    h.expire(11_000_000);
    h.send(0, 'COUNT c\n');
    h.close();
    expect(h.reported.map((t) => [t.query, t.status, t.notes])).to.deep.equal([
      [undefined, 'Error', ['Unmatched response']],
      ['COUNT a', 'Error', ['Malformed response']],
      ['COUNT b', 'Error', ['Response timed out']],
      ['COUNT c', 'Error', ['Response timed out']],
    ]);
    expect(h.counters['unmatched_responses']).to.equal(1);
  });

  it('drops a line longer than max_line_length and resynchronises on the next one', () => {
    const h = harness({ max_line_length: 16 });
    h.send(0, `COUNT ${'x'.repeat(40)}\n`);
    h.send(0, 'COUNT ok\n');
    h.send(1, '1\n');
    expect(h.counters['line_too_long']).to.be.greaterThan(0);
    expect(h.reported.map((t) => [t.query, t.status])).to.deep.equal([['COUNT ok', 'OK']]);
  });

  it('drops a too-long line arriving in several packets, and keeps the lines around it', () => {
    const h = harness({ max_line_length: 16 });
    h.send(0, 'COUNT a\nCOUNT xxxxxxxx');
    h.send(0, 'xxxxxxxxxxxxxxxx');
    h.send(0, 'xxxx yyyy\nCOUNT b c\n');
    h.send(1, '1\n2\n');
    expect(h.counters['line_too_long']).to.equal(1);
    expect(h.reported.map((t) => [t.query, t.status])).to.deep.equal([
      ['COUNT a', 'OK'],
      ['COUNT b c', 'OK'],
    ]);
  });

  it('after a gap, resynchronises at the next line', () => {
    const h = harness();
    h.send(0, 'COUNT a b c d');
    expect(h.gap(0, 100)).to.equal(false);
    h.send(0, 'e f\nCOUNT z\n');
    h.send(1, '1\n');
    expect(h.reported.map((t) => [t.query, t.status])).to.deep.equal([['COUNT z', 'OK']]);
  });
});
