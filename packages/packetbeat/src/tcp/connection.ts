import type { ConnectionInfo, Direction } from '@packetbeat-ts/protocol-sdk';
import { TcpStream } from './tcp-stream.js';

/** One tracked TCP connection of a protocol that claimed its port. */
export class TcpConnection {
  /** Client then server address bytes (4 or 16 each), for matching packets to the connection. */
  readonly addresses: Buffer;
  readonly streams: [TcpStream, TcpStream];
  state: unknown;
  lastSeenUs: number;
  closed = false;

  constructor(
    readonly hash: number,
    readonly info: ConnectionInfo,
    readonly protocol: number,
    readonly ipVersion: number,
    readonly clientPort: number,
    readonly serverPort: number,
    addresses: Buffer,
    maxBuffered: number,
    nowUs: number,
  ) {
    this.addresses = addresses;
    this.streams = [new TcpStream(maxBuffered), new TcpStream(maxBuffered)];
    this.lastSeenUs = nowUs;
  }

  /** Whether a packet (addresses at the given offsets) belongs here, and in which direction. */
  direction(data: Buffer, srcOffset: number, dstOffset: number, srcPort: number, dstPort: number, ipVersion: number): Direction | -1 {
    if (ipVersion !== this.ipVersion) return -1;
    const n = ipVersion === 4 ? 4 : 16;
    if (srcPort === this.clientPort && dstPort === this.serverPort && sameBytes(data, srcOffset, this.addresses, 0, n) && sameBytes(data, dstOffset, this.addresses, n, n)) return 0;
    if (srcPort === this.serverPort && dstPort === this.clientPort && sameBytes(data, srcOffset, this.addresses, n, n) && sameBytes(data, dstOffset, this.addresses, 0, n)) return 1;
    return -1;
  }
}

function sameBytes(a: Buffer, aOffset: number, b: Buffer, bOffset: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}
