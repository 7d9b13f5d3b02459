import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { errorMessage } from '../errors.js';
import { ConfigReader } from './config.js';
import { appendErrorMessage } from './error-message.js';
import { putEventValue } from './event-fields.js';
import type { Processor, ProcessorFactory } from './processor.js';

/**
 * Elasticsearch's time-based UUIDs (as Beats' add_id generates them): 15
 * bytes mixing a per-process sequence number, a never-decreasing
 * millisecond clock and a munged MAC address, in base64url without padding.
 */
export class TimeBasedIdGenerator {
  private sequence: number;
  private lastTimestamp = 0;
  private readonly mac: Uint8Array;

  constructor(private readonly nowMs: () => number = Date.now) {
    // A random start lowers the chance of collisions across restarts.
    this.sequence = randomBytes(3).readUIntBE(0, 3);
    this.mac = mungedMacAddress();
  }

  next(): string {
    this.sequence = (this.sequence + 1) & 0xffffff;
    const seq = this.sequence;
    let ts = Math.max(this.nowMs(), this.lastTimestamp);
    // Force the clock forward when the sequence wraps, in case the clock went back.
    if (seq === 0) ts++;
    this.lastTimestamp = ts;

    const byteAt = (value: number, shift: number): number => Math.floor(value / 2 ** shift) & 0xff;
    const buf = Buffer.alloc(15);
    buf[0] = seq & 0xff;
    buf[1] = (seq >> 16) & 0xff;
    buf[2] = byteAt(ts, 16);
    buf[3] = byteAt(ts, 24);
    buf[4] = byteAt(ts, 32);
    buf[5] = byteAt(ts, 40);
    buf.set(this.mac, 6);
    buf[12] = byteAt(ts, 8);
    buf[13] = (seq >> 8) & 0xff;
    buf[14] = ts & 0xff;
    return buf.toString('base64url');
  }
}

/** The first non-loopback MAC (or a random multicast one), XORed with random bytes, as Elasticsearch does. */
function mungedMacAddress(): Uint8Array {
  let mac: Uint8Array | undefined;
  for (const addrs of Object.values(networkInterfaces())) {
    const found = addrs?.find((a) => !a.internal && a.mac !== '00:00:00:00:00:00');
    if (found !== undefined) {
      mac = Uint8Array.from(found.mac.split(':').map((h) => parseInt(h, 16)));
      break;
    }
  }
  if (mac === undefined || mac.length !== 6) {
    mac = Uint8Array.from(randomBytes(6));
    mac[0] = (mac[0] ?? 0) | 0x01;
  }
  const munged = randomBytes(6);
  return Uint8Array.from(munged, (b, i) => b ^ (mac[i] ?? 0));
}

let sharedGenerator: TimeBasedIdGenerator | undefined;

/** `add_id`: sets a unique, roughly time-ordered id at `target_field` (default `@metadata._id`). */
export class AddIdProcessor implements Processor {
  readonly name = 'add_id';

  constructor(
    private readonly targetField: string,
    private readonly generator: TimeBasedIdGenerator,
    private readonly logger: Logger,
  ) {}

  run(event: BeatEvent): BeatEvent {
    try {
      putEventValue(event, this.targetField, this.generator.next());
    } catch (err) {
      const message = `failed to compute ID: ${errorMessage(err)}`;
      this.logger.debug(message);
      appendErrorMessage(event, message);
    }
    return event;
  }
}

export const addIdFactory: ProcessorFactory = {
  name: 'add_id',
  create(config, ctx) {
    const r = new ConfigReader('add_id', config);
    r.choice('type', ['elasticsearch'] as const, 'elasticsearch');
    const target = r.string('target_field', '@metadata._id');
    if (target === '') throw r.error('target_field', 'must not be empty');
    // One generator per process, as in Beats, so ids stay unique across processors.
    sharedGenerator ??= new TimeBasedIdGenerator();
    return new AddIdProcessor(target, sharedGenerator, ctx.logger);
  },
};
