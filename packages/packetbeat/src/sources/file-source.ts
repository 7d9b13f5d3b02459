import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@packetbeat-ts/libbeat';
import { openCaptureFile } from '../capture/capture-file.js';
import type { PacketSink } from '../capture/packet-sink.js';

export interface FileReplayOptions {
  readonly path: string;
  /** `-t`: as fast as possible; otherwise at the capture's own pace. */
  readonly fast: boolean;
  /** `-l N`: times to read the file; 0 = forever. */
  readonly loops: number;
  /** `-O`: one packet at a time, waiting for `step()` between packets. */
  readonly step?: () => Promise<void>;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** True when the pipeline is full: the replay waits for space instead of dropping. */
  readonly backpressure: () => boolean;
  readonly waitForSpace: () => Promise<void>;
}

const BATCH = 4096;

/**
 * Replays a capture file into a sink: in batches, yielding to the event loop
 * between them so the outputs run, waiting for the queue when it is full (a
 * file replay never drops), and pacing by packet timestamps unless `fast`.
 */
export async function replayCaptureFile(sink: PacketSink, options: FileReplayOptions): Promise<number> {
  const reader = openCaptureFile(options.path, { onDamage: (d) => options.logger.warn(d.message) });
  let delivered = 0;
  try {
    for (let loop = 0; options.loops === 0 || loop < options.loops; loop++) {
      if (loop > 0) reader.rewind();
      // Pacing: packet time advances with wall time from the first packet on.
      let startWallMs = 0;
      let startPacketMs = 0;
      if (!options.fast && reader.peekNextTimestamp()) {
        startWallMs = Date.now();
        startPacketMs = reader.nextTsSec * 1000 + reader.nextTsNsec / 1e6;
      }
      while (!options.signal.aborted) {
        let n: number;
        if (options.step !== undefined) {
          n = reader.readBatch(sink, 1);
          if (n > 0) await options.step();
        } else if (options.fast) {
          n = reader.readBatch(sink, BATCH);
        } else {
          const untilMs = startPacketMs + (Date.now() - startWallMs);
          const untilSec = Math.floor(untilMs / 1000);
          n = reader.readBatch(sink, BATCH, untilSec, Math.floor((untilMs - untilSec * 1000) * 1e6));
          if (n === 0 && !reader.done) {
            const nextMs = reader.nextTsSec * 1000 + reader.nextTsNsec / 1e6;
            await sleep(Math.min(1000, Math.max(1, nextMs - untilMs)), undefined, { signal: options.signal }).catch(() => undefined);
            continue;
          }
        }
        delivered += n;
        if (n === 0 && reader.done) break;
        if (options.backpressure()) await options.waitForSpace();
        else await nextTurn();
      }
      if (reader.damage !== undefined || options.signal.aborted) break;
    }
  } finally {
    reader.close();
  }
  return delivered;
}
