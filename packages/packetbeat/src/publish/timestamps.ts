/**
 * Packet times are microseconds since the epoch (fractions for sub-µs
 * captures). ECS dates keep the microseconds, as Packetbeat's nanosecond
 * timestamps do; JavaScript Dates alone would cut them to milliseconds.
 */
export function microsToIso(us: number): string {
  return shared.format(us);
}

/**
 * `microsToIso` for many times that share a few seconds: the text up to the
 * second is kept from the previous call, so a document does not build a Date
 * per timestamp.
 */
export class IsoMicros {
  private sec = Number.NaN;
  private prefix = '';

  format(us: number): string {
    const sec = Math.floor(us / 1e6);
    if (sec !== this.sec) {
      this.sec = sec;
      this.prefix = new Date(sec * 1000).toISOString().slice(0, 20);
    }
    const frac = Math.floor(us - sec * 1e6);
    return this.prefix + (frac < 100000 ? String(frac + 1000000).slice(1) : String(frac)) + 'Z';
  }
}

const shared = new IsoMicros();

export function microsToDate(us: number): Date {
  return new Date(Math.floor(us / 1000));
}

/** Packet time from a capture's seconds and nanoseconds. */
export function packetMicros(tsSec: number, tsNsec: number): number {
  return tsSec * 1e6 + tsNsec / 1e3;
}
