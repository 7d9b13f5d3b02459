import { expect } from 'chai';
import type { CloseReason, ConnectionInfo, Direction, TcpHandlers } from '@packetbeat-ts/protocol-sdk';
import { DecodedPacket, TcpFlag } from '../../src/decode/decoded-packet.js';
import { TcpTracker, connectionHash } from '../../src/tcp/tcp-tracker.js';

interface Recorded {
  events: string[];
  conns: ConnectionInfo[];
}

function recorder(): { handlers: TcpHandlers<Recorded>; all: Recorded[] } {
  const all: Recorded[] = [];
  const handlers: TcpHandlers<Recorded> = {
    init(conn) {
      const r = { events: [], conns: [conn] };
      all.push(r);
      return r;
    },
    onData(s, _c, dir: Direction, data) {
      s.events.push(`${dir}:${Buffer.from(data).toString()}`);
    },
    onGap(s, _c, dir, n) {
      s.events.push(`${dir}:gap ${n}`);
      return false;
    },
    onFin(s, _c, dir) {
      s.events.push(`${dir}:fin`);
    },
    onClose(s, _c, reason: CloseReason) {
      s.events.push(`close ${reason}`);
    },
  };
  return { handlers, all };
}

const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];

/** A hand-filled decoded IPv4/TCP packet, as the decoder would produce it. */
function packet(fromClient: boolean, seq: number, flags: number, text = '', ack = 0, clientPort = 40000): DecodedPacket {
  const p = new DecodedPacket();
  const payload = Buffer.from(text);
  p.data = Buffer.concat([Buffer.from(fromClient ? CLIENT : SERVER), Buffer.from(fromClient ? SERVER : CLIENT), payload]);
  p.ipVersion = 4;
  p.srcIpOffset = 0;
  p.dstIpOffset = 4;
  p.protocol = 6;
  p.srcPort = fromClient ? clientPort : 80;
  p.dstPort = fromClient ? 80 : clientPort;
  p.tcpSeq = seq;
  p.tcpAck = ack;
  p.tcpFlags = flags;
  p.payloadOffset = 8;
  p.payloadLength = payload.length;
  return p;
}

function tracker(handlers: TcpHandlers<Recorded>, idleTimeoutUs = 60e6, maxConnections = 1000, hashMask?: number): TcpTracker {
  const portMap = new Int16Array(65536).fill(-1);
  portMap[80] = 0;
  return new TcpTracker({
    portMap,
    bindings: [{ name: 'test', handlers: handlers }],
    maxBufferedBytes: 1 << 20,
    idleTimeoutUs,
    maxConnections,
    formatIp: (data, offset) => [...data.subarray(offset, offset + 4)].join('.'),
    ...(hashMask !== undefined ? { hashMask } : {}),
  });
}

const { SYN, ACK, FIN, RST, PSH } = TcpFlag;

describe('tcp tracker', () => {
  it('follows a connection from SYN to FIN, naming client and server by the protocol port', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers);
    let now = 1e12;
    const feed = (p: DecodedPacket): boolean => t.process(p, (now += 100));
    feed(packet(true, 100, SYN));
    feed(packet(false, 500, SYN | ACK, '', 101));
    feed(packet(true, 101, ACK | PSH, 'GET / HTTP/1.1\r\n\r\n', 501));
    feed(packet(false, 501, ACK | PSH, 'HTTP/1.1 200 OK\r\n\r\n', 119));
    feed(packet(true, 119, FIN | ACK, '', 520));
    feed(packet(false, 520, FIN | ACK, '', 120));
    expect(all).to.have.length(1);
    const r = all[0] as Recorded;
    expect(r.conns[0]).to.deep.include({ transport: 'tcp', client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 80 } });
    expect(r.events).to.deep.equal(['0:GET / HTTP/1.1\r\n\r\n', '1:HTTP/1.1 200 OK\r\n\r\n', '0:fin', '1:fin', 'close fin']);
    expect(t.counters).to.include({ connections: 1, active: 0 });
  });

  it('picks up a connection in the middle, starting from the server side', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers);
    t.process(packet(false, 9000, ACK | PSH, 'late response', 77), 1);
    expect(all[0]?.conns[0]?.server).to.deep.equal({ ip: '10.0.0.2', port: 80 });
    expect(all[0]?.events).to.deep.equal(['1:late response']);
  });

  it('reorders, drops retransmissions, and reports a lost segment as a gap once acknowledged', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers);
    t.process(packet(true, 1, PSH | ACK, 'one '), 1);
    t.process(packet(true, 9, PSH | ACK, 'three'), 2);
    t.process(packet(true, 5, PSH | ACK, 'two '), 3);
    t.process(packet(true, 5, PSH | ACK, 'two '), 4);
    t.process(packet(true, 20, PSH | ACK, 'five'), 5);
    // The server acknowledges 24: bytes 14..20 were received but not captured.
    t.process(packet(false, 700, ACK, '', 24), 6);
    expect(all[0]?.events).to.deep.equal(['0:one ', '0:two ', '0:three', '0:gap 6', '0:five']);
    expect(t.counters).to.include({ retransmittedBytes: 4, gaps: 1, gapBytes: 6 });
  });

  it('closes on RST and ignores a lone RST of an unknown connection', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers);
    t.process(packet(true, 1, RST), 1);
    expect(all).to.have.length(0);
    t.process(packet(true, 1, PSH | ACK, 'x'), 2);
    t.process(packet(false, 1, RST), 3);
    expect(all[0]?.events).to.deep.equal(['0:x', 'close rst']);
    expect(t.counters.active).to.equal(0);
  });

  it('expires idle connections on packet time and closes the rest at the end', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers, 10e6);
    t.process(packet(true, 1, PSH, 'a', 0, 40001), 1e6);
    t.process(packet(true, 1, PSH, 'b', 0, 40002), 9e6);
    t.process(packet(true, 2, PSH, 'c', 0, 40002), 12e6);
    expect(all[0]?.events).to.deep.equal(['0:a', 'close timeout']);
    expect(all[1]?.events).to.deep.equal(['0:b', '0:c']);
    t.closeAll('end');
    expect(all[1]?.events.at(-1)).to.equal('close end');
    expect(t.counters).to.include({ expired: 1, active: 0 });
  });

  it('does not claim ports no protocol asked for, and caps tracked connections', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers, 60e6, 1);
    const other = packet(true, 1, PSH, 'x');
    other.dstPort = 8081;
    expect(t.process(other, 1)).to.equal(false);
    t.process(packet(true, 1, PSH, 'a', 0, 40001), 2);
    t.process(packet(true, 1, PSH, 'b', 0, 40002), 3);
    expect(all).to.have.length(1);
    expect(t.counters.untracked).to.equal(1);
  });

  it('survives a plugin that throws', () => {
    const t = tracker({
      init: () => ({ events: [], conns: [] }),
      onData: () => {
        throw new Error('parser bug');
      },
    });
    expect(() => t.process(packet(true, 1, PSH, 'x'), 1)).to.not.throw();
    expect(t.counters.pluginErrors).to.equal(1);
  });

  it('shares one server endpoint between connections, and each connection is its ConnectionInfo', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers);
    t.process(packet(true, 1, PSH, 'a', 0, 40001), 1);
    t.process(packet(true, 1, PSH, 'b', 0, 40002), 2);
    const [first, second] = all.map((r) => r.conns[0] as ConnectionInfo);
    expect(first?.server).to.equal(second?.server);
    expect(Object.isFrozen(first?.server)).to.equal(true);
    expect(first?.client).to.deep.equal({ ip: '10.0.0.1', port: 40001 });
    expect(second?.client).to.deep.equal({ ip: '10.0.0.1', port: 40002 });
    expect(first?.id).to.not.equal(second?.id);
    expect(first?.vlans).to.deep.equal([]);
  });

  it('follows sequence numbers above 2^31 and across the wrap', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers);
    t.process(packet(true, 0xfffffff0, SYN), 1);
    t.process(packet(false, 0x90000000, SYN | ACK, '', 0xfffffff1), 2);
    t.process(packet(true, 0xfffffff1, PSH | ACK, 'abcdefghijklmnop'), 3);
    t.process(packet(true, 0x00000001, PSH | ACK, 'qr'), 4);
    t.process(packet(true, 0xfffffff1, PSH | ACK, 'abcdefghijklmnop'), 5);
    t.process(packet(false, 0x90000001, PSH | ACK, 'ok', 3), 6);
    expect(all[0]?.events).to.deep.equal(['0:abcdefghijklmnop', '0:qr', '1:ok']);
    expect(t.counters.retransmittedBytes).to.equal(16);
  });

  it('keeps connections whose hashes collide apart as they come and go', () => {
    const { handlers, all } = recorder();
    // 3 bits of hash: 3,000 connections in 8 table entries.
    const t = tracker(handlers, 60e6, 10_000, 0x7);
    for (let port = 1024; port < 1024 + 3000; port++) t.process(packet(true, 1, PSH, `c${port}`, 0, port), port);
    for (let port = 1024; port < 1024 + 3000; port += 2) t.process(packet(true, 1, RST, '', 0, port), 10_000 + port);
    for (let port = 1025; port < 1024 + 3000; port += 2) t.process(packet(true, 1 + `c${port}`.length, PSH, 'x', 0, port), 20_000 + port);
    expect(all).to.have.length(3000);
    expect(t.counters.active).to.equal(1500);
    for (const [i, r] of all.entries()) {
      const port = 1024 + i;
      expect(r.events).to.deep.equal(port % 2 === 0 ? [`0:c${port}`, 'close rst'] : [`0:c${port}`, '0:x']);
    }
  });

  it('hashes both directions of a connection alike', () => {
    expect(connectionHash(packet(true, 1, 0))).to.equal(connectionHash(packet(false, 1, 0)));
    expect(connectionHash(packet(true, 1, 0, '', 0, 40001))).to.not.equal(connectionHash(packet(true, 1, 0, '', 0, 40002)));
  });
});

describe('tcp tracker: late copies after close', () => {
  it('ignores retransmitted SYNs and data of a connection that just closed, but accepts a new one', () => {
    const { handlers, all } = recorder();
    const t = tracker(handlers);
    t.process(packet(true, 100, SYN), 1);
    t.process(packet(false, 500, SYN | ACK, '', 101), 2);
    t.process(packet(true, 101, PSH | ACK, 'req', 501), 3);
    t.process(packet(false, 501, PSH | ACK, 'resp', 104), 4);
    t.process(packet(false, 505, FIN | ACK, '', 104), 5);
    t.process(packet(true, 104, FIN | ACK, '', 506), 6);
    expect(all).to.have.length(1);
    // Late copies, as a loopback capture on `any` shows them.
    t.process(packet(true, 100, SYN), 7);
    t.process(packet(false, 501, PSH | ACK, 'resp', 104), 8);
    expect(all).to.have.length(1);
    expect(t.counters.retransmittedBytes).to.equal(4);
    // Data beyond what the closed connection carried is a new connection.
    t.process(packet(true, 9000, PSH | ACK, 'next'), 9);
    expect(all).to.have.length(2);
  });
});
