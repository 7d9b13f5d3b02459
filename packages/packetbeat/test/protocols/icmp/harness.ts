import type { CommonProtocolConfig, IcmpPacket, ProtocolAnalyzer, Transaction } from '@packetbeat-ts/protocol-sdk';
import { recordingContext } from '../../support/plugin-context.js';
import { DEFAULT_MAX_PENDING_REQUESTS, type IcmpOptions } from '../../../src/protocols/icmp/config.js';
import { icmpPlugin } from '../../../src/protocols/icmp/plugin.js';

export type TestConfig = Partial<IcmpOptions & CommonProtocolConfig>;

const DEFAULTS: IcmpOptions & CommonProtocolConfig = {
  enabled: true,
  ports: [],
  send_request: false,
  send_response: false,
  transaction_timeout: 10_000,
  max_pending_requests: DEFAULT_MAX_PENDING_REQUESTS,
};

export interface Harness {
  readonly reported: Transaction[];
  readonly counters: Record<string, number>;
  readonly analyzer: ProtocolAnalyzer;
  /** Delivers one ICMP message from `source` to `destination` at the current clock. */
  send(source: string, destination: string, message: Uint8Array, vlans?: readonly number[]): Harness;
  /** Sets the packet clock (µs). */
  at(us: number): Harness;
  /** Runs expiry at the current clock (or `now`). */
  expire(now?: number): Harness;
  /** End of capture. */
  end(): Harness;
}

export function harness(config: TestConfig = {}): Harness {
  const { ctx, reported, counters, clock } = recordingContext<IcmpOptions>({ ...DEFAULTS, ...config });
  const analyzer = icmpPlugin.create(ctx);
  const h: Harness = {
    reported,
    counters,
    analyzer,
    send(source, destination, message, vlans = []) {
      const packet: IcmpPacket = { version: source.includes(':') ? 6 : 4, source, destination, vlans, ipBytes: message.length + (source.includes(':') ? 40 : 20) };
      analyzer.icmp?.onMessage(packet, message);
      return h;
    },
    at(us) {
      clock.now = us;
      return h;
    },
    expire(at = clock.now) {
      analyzer.expire?.(at);
      return h;
    },
    end() {
      analyzer.expire?.(Number.POSITIVE_INFINITY);
      return h;
    },
  };
  return h;
}

/** An ICMP message: type, code, zero checksum, then `rest` (id/seq, payload…). */
export function icmpMessage(type: number, code: number, rest: readonly number[] | Uint8Array = [0, 0, 0, 0]): Uint8Array {
  return Uint8Array.from([type, code, 0, 0, ...rest]);
}

/** Echo-like message with id/seq and `payload` extra bytes. */
export function idMessage(type: number, id: number, seq: number, payload = 4): Uint8Array {
  return icmpMessage(type, 0, [id >> 8, id & 0xff, seq >> 8, seq & 0xff, ...new Array<number>(payload).fill(0x61)]);
}

/** The 16 bytes of an IPv6 address in full or `::` form. */
export function ipv6Bytes(text: string): number[] {
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}

export function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** A neighbour solicitation (135) or advertisement (136) for `target`. */
export function neighbor(type: 135 | 136, target: string): Uint8Array {
  return icmpMessage(type, 0, [type === 136 ? 0x60 : 0, 0, 0, 0, ...ipv6Bytes(target)]);
}

/** An ICMPv4 error quoting an IPv4/ICMP packet from `src` to `dst` with the given echo id/seq. */
export function icmp4ErrorQuotingEcho(type: number, code: number, src: string, dst: string, id: number, seq: number): Uint8Array {
  const ip = [0x45, 0, 0, 32, 0, 1, 0, 0, 1, 1, 0, 0, ...ipv4Bytes(src), ...ipv4Bytes(dst)];
  return icmpMessage(type, code, [0, 0, 0, 0, ...ip, 8, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff]);
}

/** An ICMPv6 error quoting an IPv6/ICMPv6 echo request from `src` to `dst`. */
export function icmp6ErrorQuotingEcho(type: number, code: number, src: string, dst: string, id: number, seq: number): Uint8Array {
  const ip = [0x60, 0, 0, 0, 0, 12, 58, 64, ...ipv6Bytes(src), ...ipv6Bytes(dst)];
  return icmpMessage(type, code, [0, 0, 0, 0, ...ip, 128, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff]);
}
