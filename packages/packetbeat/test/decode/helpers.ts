import { DecodedPacket, type DecodeDrop } from '../../src/decode/decoded-packet.js';
import { PacketDecoder } from '../../src/decode/decoder.js';

export interface Decoded {
  drop: DecodeDrop | null;
  out: DecodedPacket;
}

/** Decodes one frame placed at a non-zero offset of a larger buffer (as sources do). */
export function decodeFrame(frame: Buffer, linkType: number, dec = new PacketDecoder(), tsSec = 1000, out = new DecodedPacket()): Decoded {
  const pad = 7;
  const buf = Buffer.alloc(frame.length + pad + 5, 0xee);
  frame.copy(buf, pad);
  const drop = dec.decode(buf, pad, frame.length, frame.length, tsSec, 500, linkType, out);
  return { drop, out };
}

/** The payload bytes of a decoded packet. */
export function payloadOf(out: DecodedPacket): Buffer {
  return out.data.subarray(out.payloadOffset, out.payloadOffset + out.payloadLength);
}
