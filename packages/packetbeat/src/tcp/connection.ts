import type { ConnectionInfo, Direction, Endpoint } from '@packetbeat-ts/protocol-sdk';
import { TcpStream } from './tcp-stream.js';

/**
 * One tracked TCP connection of a protocol that claimed its port, and the
 * `ConnectionInfo` its protocol sees. Hundreds of thousands can be open at
 * once, so it holds plain fields only: IPv4 addresses as numbers, the two
 * streams as two fields, endpoints shared where they repeat.
 */
export class TcpConnection implements ConnectionInfo {
  readonly transport = 'tcp';
  /** IPv4 client and server addresses as signed 32-bit numbers (0 for IPv6). */
  private readonly clientV4: number;
  private readonly serverV4: number;
  /** IPv6 only: client then server address bytes (16 each). */
  private readonly addresses6: Buffer | null;
  /** The client's direction (0) and the server's (1). */
  readonly toServer: TcpStream;
  readonly toClient: TcpStream;
  state: unknown;
  lastSeenUs: number;
  closed = false;

  constructor(
    readonly hash: number,
    readonly id: number,
    readonly client: Endpoint,
    readonly server: Endpoint,
    readonly vlans: readonly number[],
    readonly protocol: number,
    readonly ipVersion: number,
    readonly clientPort: number,
    readonly serverPort: number,
    data: Buffer,
    clientOffset: number,
    serverOffset: number,
    maxBuffered: number,
    nowUs: number,
  ) {
    if (ipVersion === 4) {
      this.clientV4 = data.readInt32BE(clientOffset);
      this.serverV4 = data.readInt32BE(serverOffset);
      this.addresses6 = null;
    } else {
      this.clientV4 = 0;
      this.serverV4 = 0;
      const addresses = Buffer.allocUnsafe(32);
      data.copy(addresses, 0, clientOffset, clientOffset + 16);
      data.copy(addresses, 16, serverOffset, serverOffset + 16);
      this.addresses6 = addresses;
    }
    this.toServer = new TcpStream(maxBuffered);
    this.toClient = new TcpStream(maxBuffered);
    this.lastSeenUs = nowUs;
  }

  stream(dir: Direction): TcpStream {
    return dir === 0 ? this.toServer : this.toClient;
  }

  /** Whether a packet (addresses at the given offsets) belongs here, and in which direction. */
  direction(data: Buffer, srcOffset: number, dstOffset: number, srcPort: number, dstPort: number, ipVersion: number): Direction | -1 {
    if (ipVersion !== this.ipVersion) return -1;
    if (srcPort === this.clientPort && dstPort === this.serverPort && this.isClient(data, srcOffset) && this.isServer(data, dstOffset)) return 0;
    if (srcPort === this.serverPort && dstPort === this.clientPort && this.isServer(data, srcOffset) && this.isClient(data, dstOffset)) return 1;
    return -1;
  }

  private isClient(data: Buffer, offset: number): boolean {
    return this.addresses6 === null ? data.readInt32BE(offset) === this.clientV4 : sameBytes(data, offset, this.addresses6, 0, 16);
  }

  private isServer(data: Buffer, offset: number): boolean {
    return this.addresses6 === null ? data.readInt32BE(offset) === this.serverV4 : sameBytes(data, offset, this.addresses6, 16, 16);
  }
}

function sameBytes(a: Buffer, aOffset: number, b: Buffer, bOffset: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}
