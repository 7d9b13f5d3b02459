import { W_DST, W_PORTS, W_PROTO, W_SRC, W_VLAN } from './flow-key.js';

const HAS_VLAN0 = 1;
const HAS_VLAN1 = 2;
const HAS_PORTS = 4;

/**
 * `flow.id`: the flow's key bytes, base64url without padding, in the flow's
 * own direction (the first packet's source first), so every report of a flow
 * carries the same id. As Packetbeat's (which base64-encodes its binary flow
 * key), it is an opaque identifier, not meant to be parsed.
 *
 * Bytes: flags (1 outer VLAN, 2 inner VLAN, 4 ports), IP version, protocol,
 * the VLAN ids present (2 bytes each), source and destination address (4 or
 * 16 bytes each), then the two 16-bit ports when any is set.
 */
export function flowIdFromKey(keys: Int32Array, base: number): string {
  const proto = keys[base + W_PROTO]!;
  const vlans = keys[base + W_VLAN]!;
  const ports = keys[base + W_PORTS]!;
  const ipVersion = (proto >>> 8) & 0xff;
  const addrWords = ipVersion === 4 ? 1 : 4;
  const v0 = vlans >>> 16;
  const v1 = vlans & 0xffff;
  const flags = (v0 !== 0 ? HAS_VLAN0 : 0) | (v1 !== 0 ? HAS_VLAN1 : 0) | (ports !== 0 ? HAS_PORTS : 0);

  const out = Buffer.allocUnsafe(3 + 4 + 8 * addrWords + 4);
  let o = 0;
  out[o++] = flags;
  out[o++] = ipVersion;
  out[o++] = proto & 0xff;
  if (v0 !== 0) o = out.writeUInt16BE(v0 - 1, o);
  if (v1 !== 0) o = out.writeUInt16BE(v1 - 1, o);
  for (let i = 0; i < addrWords; i++) o = out.writeInt32BE(keys[base + W_SRC + i]!, o);
  for (let i = 0; i < addrWords; i++) o = out.writeInt32BE(keys[base + W_DST + i]!, o);
  if (ports !== 0) o = out.writeInt32BE(ports, o);
  return out.toString('base64url', 0, o);
}

/** The address bytes of one side of a stored key (4 or 16 bytes, a new array). */
export function addressFromKey(keys: Int32Array, base: number, side: typeof W_SRC | typeof W_DST): Uint8Array {
  const ipVersion = (keys[base + W_PROTO]! >>> 8) & 0xff;
  const n = ipVersion === 4 ? 1 : 4;
  const out = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) {
    const w = keys[base + side + i]!;
    out[4 * i] = w >>> 24;
    out[4 * i + 1] = (w >>> 16) & 0xff;
    out[4 * i + 2] = (w >>> 8) & 0xff;
    out[4 * i + 3] = w & 0xff;
  }
  return out;
}
