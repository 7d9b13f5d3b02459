import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { BeatError, ErrorCodes, errorMessage } from '../../errors.js';
import type { BeatEvent } from '../../event.js';
import type { Logger } from '../../logging/logger.js';
import { BatchWaiters } from '../batch-waiters.js';
import { batchOutcome, QueueBatch, type BatchSettler } from '../batch.js';
import type { EventQueue, QueueProducer } from '../event-queue.js';
import type { PipelineMetrics } from '../pipeline-metrics.js';
import { QueueLock } from './queue-lock.js';
import { QueueState } from './queue-state.js';
import {
  decodeFramePayload,
  encodeFrame,
  encodeSegmentHeader,
  FRAME_HEADER_BYTES,
  listSegmentIds,
  scanSegment,
  SEGMENT_HEADER_BYTES,
  segmentPath,
} from './segment-file.js';

/** `queue.disk.*`. */
export interface DiskQueueSettings {
  /** Directory of the segment files (Beats' default: `${path.data}/diskqueue`). */
  readonly path: string;
  /** Bytes the queue may take on disk (`max_size`). */
  readonly maxSizeBytes: number;
  /** Bytes per segment file (`segment_size`, default a tenth of `max_size`). */
  readonly segmentSizeBytes: number;
}

export interface DiskQueueOptions {
  readonly settings: DiskQueueSettings;
  /** Largest batch handed out (`bulk_max_size`). */
  readonly batchSize: number;
  /** Retries of one event before it is dropped; negative = forever. */
  readonly maxRetries: number;
  readonly metrics: PipelineMetrics;
  readonly logger: Logger;
  /** Called after space was freed on disk. */
  readonly onRelease?: () => void;
}

interface Segment {
  readonly id: number;
  readonly firstFrame: number;
  /** Frames written to the file. */
  frames: number;
  /** Bytes written to the file. */
  bytes: number;
}

/** Pending writes are flushed at the end of the current task, or sooner past this size. */
const FLUSH_BYTES = 1 << 20;
const READ_CHUNK_BYTES = 1 << 20;
const WRITE_RETRY_MS = 1000;

/**
 * Beats' `queue.disk`: events are written to segment files before the
 * producer is told they are acknowledged, read back for the output, and
 * removed once the output acknowledged them, so they outlive an output
 * outage longer than memory allows and a restart of the beat.
 *
 * Frames are numbered in write order. The output's acks may arrive out of
 * order; `ackHead`, the first frame not yet done, advances over done frames
 * in order and is saved in `state.json` after every advance, so a restart
 * resends at most what was in flight when the process died. A segment is
 * deleted once all its frames are behind `ackHead`.
 *
 * Writes are synchronous and batched per task (one `writev` for everything
 * published in one run of the producer), so a SIGKILL loses nothing that a
 * producer was told was acknowledged: the bytes are in the kernel. A power
 * loss can lose the last writes, as in Beats, which syncs only on segment close.
 */
export class DiskQueue implements EventQueue, BatchSettler {
  private readonly dir: string;
  private readonly maxSize: number;
  private readonly segmentSize: number;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly m: PipelineMetrics;
  private readonly logger: Logger;
  private readonly onRelease: (() => void) | undefined;
  private readonly lock: QueueLock;
  private readonly state: QueueState;

  private readonly segments: Segment[] = [];
  /** Bytes of all segment files. */
  private diskBytes = 0;
  private writeFd: number | undefined;
  private nextSegmentId = 0;

  /** Frames encoded but not yet written, and whom to tell once they are. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingProducers: QueueProducer[] = [];
  private flushScheduled = false;
  private writeRetry: NodeJS.Timeout | undefined;
  private writeFailing = false;

  /** The next frame id to be written; frames below it are on disk. */
  private writtenFrame = 0;
  /** The next frame to read for the output, and where it is. */
  private readFrame = 0;
  private readSegment = 0;
  private readOffset = SEGMENT_HEADER_BYTES;
  private readFd: number | undefined;
  private readFdSegment = -1;

  /** The first frame not yet acknowledged or dropped. */
  private ackHead = 0;
  /** Done frames at or after `ackHead`. */
  private readonly done = new Set<number>();
  private retryList: { frame: number; event: BeatEvent }[] = [];
  private readonly retries = new Map<number, number>();

  /** Idle output workers waiting for a batch. */
  private readonly waiting = new BatchWaiters(() => this.takeBatch());
  private stopped = false;

  ackedTotal = 0;
  droppedTotal = 0;

  private readonly flushBound = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  constructor(options: DiskQueueOptions) {
    const { settings } = options;
    this.dir = settings.path;
    this.maxSize = settings.maxSizeBytes;
    this.segmentSize = Math.max(64 * 1024, Math.min(settings.segmentSizeBytes, settings.maxSizeBytes));
    this.batchSize = Math.max(1, Math.floor(options.batchSize));
    this.maxRetries = options.maxRetries;
    this.m = options.metrics;
    this.logger = options.logger;
    this.onRelease = options.onRelease;
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new BeatError(ErrorCodes.CONFIG_INVALID, `queue.disk.path: cannot create ${this.dir}: ${errorMessage(err)}`, { key: 'queue.disk.path', cause: err });
    }
    this.lock = QueueLock.acquire(this.dir);
    this.state = new QueueState(this.dir);
    this.recover();
    this.m.queueMaxBytes.set(this.maxSize);
    this.updateFillMetrics();
  }

  get size(): number {
    return this.writtenFrame + this.pendingProducers.length - this.ackHead;
  }

  get hasRoom(): boolean {
    if (this.stopped) return false;
    // An empty queue takes any event, however large, so one never blocks for ever.
    return this.size === 0 || this.diskBytes + this.pendingBytes < this.maxSize;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Bytes on disk plus bytes waiting to be written. */
  get usedBytes(): number {
    return this.diskBytes + this.pendingBytes;
  }

  enqueue(producer: QueueProducer, event: BeatEvent): boolean {
    if (!this.hasRoom) return false;
    let frame: Buffer;
    try {
      frame = encodeFrame(event);
    } catch (err) {
      // Accepted and given up at once: an event JSON cannot hold (a cycle, a BigInt).
      this.logger.warn(`disk queue: dropping an event that cannot be serialized: ${errorMessage(err)}`);
      this.droppedTotal++;
      this.m.eventsDropped.value++;
      this.m.eventsActive.value--;
      producer.deliverDrops(1, 'cannot be serialized');
      return true;
    }
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    this.pendingProducers.push(producer);
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flushBound);
    }
    return true;
  }

  takeBatch(): QueueBatch | null | undefined {
    if (this.stopped) return null;
    if (this.retryList.length > 0) return this.takeRetryBatch();
    if (this.readFrame >= this.writtenFrame && this.pending.length > 0) this.flush();
    if (this.readFrame >= this.writtenFrame) return undefined;
    const frames: number[] = [];
    const events: BeatEvent[] = [];
    while (events.length < this.batchSize && this.readFrame < this.writtenFrame) {
      if (!this.readSome(frames, events, this.batchSize - events.length)) break;
    }
    if (events.length === 0) {
      // Every frame read was damaged (and dropped): nothing to hand out now.
      return this.readFrame < this.writtenFrame ? this.takeBatch() : undefined;
    }
    this.handedOut(events.length);
    return new QueueBatch(this, events, 0, frames, Number.POSITIVE_INFINITY);
  }

  waitBatch(): Promise<QueueBatch | null> {
    if (this.stopped) return Promise.resolve(null);
    return this.waiting.wait();
  }

  setClosing(): void {
    this.flush();
    this.waiting.schedule();
  }

  /**
   * Stops: what is pending is written, files are closed and idle workers are
   * told to stop. Nothing is dropped: events not yet acknowledged stay on
   * disk for the next run.
   */
  stop(_reason: string): number {
    if (this.stopped) return 0;
    this.flush();
    this.stopped = true;
    if (this.writeRetry !== undefined) clearTimeout(this.writeRetry);
    this.waiting.stopAll();
    let inFlight = 0;
    for (let f = this.ackHead; f < this.readFrame; f++) if (!this.done.has(f)) inFlight++;
    this.m.outputActive.value -= inFlight - this.retryList.length;
    if (this.writeFd !== undefined) {
      fs.fsyncSync(this.writeFd);
      fs.closeSync(this.writeFd);
      this.writeFd = undefined;
    }
    this.closeReadFd();
    this.state.save(this.ackHead);
    const left = this.size;
    if (left > 0) this.logger.info(`disk queue: ${left} events stay in ${this.dir} for the next run`, { events: left });
    this.lock.release();
    return 0;
  }

  // ---- BatchSettler -------------------------------------------------------

  settleAck(batch: QueueBatch): void {
    if (this.stopped) return;
    const n = batch.length;
    for (let k = 0; k < n; k++) this.done.add(batch.slotAt(k));
    this.ackedTotal += n;
    this.m.outputAcked.value += n;
    this.m.outputActive.value -= n;
    this.m.queueAcked.value += n;
    this.advance();
  }

  settleRetry(batch: QueueBatch): void {
    if (this.stopped) return;
    const n = batch.length;
    this.m.outputFailed.value += n;
    this.m.outputActive.value -= n;
    batch.failed = n > 0;
    // The output could not send the batch at all (it is down): riding out such
    // an outage is what a disk queue is for, so this does not count against
    // max_retries; events refused one by one (retryEvents) still do.
    const resend = batch.events.map((event, k) => ({ frame: batch.slotAt(k), event }));
    this.m.eventsRetry.value += n;
    this.retryList = resend.concat(this.retryList);
    this.advance();
    this.waiting.schedule();
  }

  settleRetryEvents(batch: QueueBatch, failed: readonly BeatEvent[], dropped: readonly BeatEvent[]): void {
    if (this.stopped) return;
    const outcome = batchOutcome(batch, failed, dropped);
    const retry = outcome.retry.map((k) => ({ frame: batch.slotAt(k), event: batch.events[k] as BeatEvent }));
    for (const k of outcome.drop) this.done.add(batch.slotAt(k));
    for (const k of outcome.ack) this.done.add(batch.slotAt(k));
    const acked = outcome.ack.length;
    const drops = outcome.drop.length;
    this.ackedTotal += acked;
    this.m.outputAcked.value += acked;
    this.m.queueAcked.value += acked;
    this.m.outputFailed.value += retry.length;
    this.m.outputDropped.value += drops;
    this.m.outputActive.value -= batch.length;
    if (drops > 0) {
      this.logger.warn(`output dropped ${drops} of ${batch.length} events of a batch`, { events: drops });
      this.countDropped(drops);
    }
    if (retry.length > 0) {
      batch.failed = true;
      this.retryOrDrop(retry);
    }
    this.advance();
    if (retry.length > 0) this.waiting.schedule();
  }

  settleDrop(batch: QueueBatch, reason: string): void {
    if (this.stopped) return;
    const n = batch.length;
    for (let k = 0; k < n; k++) this.done.add(batch.slotAt(k));
    this.m.outputDropped.value += n;
    this.m.outputActive.value -= n;
    if (n > 0) {
      this.logger.warn(`output dropped a batch of ${n} events: ${reason}`, { events: n, reason });
      this.countDropped(n);
    }
    this.advance();
  }

  settledTwice(batch: QueueBatch, how: string): void {
    if (this.stopped) return;
    this.logger.warn(`output settled a ${batch.toString()} twice (${how}); ignored`);
  }

  // ---- start-up -----------------------------------------------------------

  /** Reads what an earlier run left: segments, the ack position; drops damaged tails. */
  private recover(): void {
    const acked = this.state.load();
    let expected: number | undefined;
    for (const id of listSegmentIds(this.dir)) {
      const file = segmentPath(this.dir, id);
      this.nextSegmentId = id + 1;
      const scan = scanSegment(file);
      if (scan === undefined || (expected !== undefined && scan.firstFrame !== expected)) {
        this.logger.warn(`disk queue: ignoring ${file}: ${scan === undefined ? 'not a segment file' : 'frames out of sequence'}`);
        fs.rmSync(file, { force: true });
        continue;
      }
      if (scan.validBytes < scan.fileBytes) {
        this.logger.warn(`disk queue: ${file} ends in a torn or damaged frame; the ${scan.fileBytes - scan.validBytes} bytes after frame ${scan.firstFrame + scan.offsets.length} are discarded`);
        fs.truncateSync(file, scan.validBytes);
      }
      const segment: Segment = { id, firstFrame: scan.firstFrame, frames: scan.offsets.length, bytes: scan.validBytes };
      expected = scan.firstFrame + segment.frames;
      if (expected <= acked) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (this.segments.length === 0) {
        // Start reading at the first frame not yet acknowledged.
        const skip = Math.max(0, acked - scan.firstFrame);
        this.readFrame = scan.firstFrame + skip;
        this.readOffset = skip < scan.offsets.length ? (scan.offsets[skip] ?? scan.validBytes) : scan.validBytes;
      }
      this.segments.push(segment);
      this.diskBytes += segment.bytes;
    }
    if (this.segments.length === 0) {
      this.readFrame = Math.max(acked, expected ?? 0);
      this.readOffset = SEGMENT_HEADER_BYTES;
    }
    this.ackHead = this.readFrame;
    this.writtenFrame = expected ?? this.readFrame;
    if (this.writtenFrame < this.ackHead) this.writtenFrame = this.ackHead;
    this.readSegment = 0;
    const left = this.size;
    if (left > 0) this.logger.info(`disk queue: ${left} events from an earlier run are waiting in ${this.dir}`, { events: left });
  }

  // ---- writing ------------------------------------------------------------

  /** Writes the pending frames, then tells their producers. */
  private flush(): void {
    if (this.pending.length === 0 || this.stopped) return;
    const pending = this.pending;
    let start = 0;
    try {
      while (start < pending.length) {
        const segment = this.writableSegment();
        // As many frames as fit in this segment (at least one).
        let end = start;
        let bytes = 0;
        for (let next = pending[end]; next !== undefined && (end === start || segment.bytes + bytes + next.length <= this.segmentSize); next = pending[end]) {
          bytes += next.length;
          end++;
        }
        writeFully(this.writeFd as number, pending.slice(start, end), segment.bytes);
        segment.frames += end - start;
        segment.bytes += bytes;
        this.diskBytes += bytes;
        this.writtenFrame += end - start;
        this.pendingBytes -= bytes;
        this.ackProducers(end - start);
        start = end;
      }
      if (this.writeFailing) {
        this.writeFailing = false;
        this.logger.info('disk queue: writing works again');
      }
    } catch (err) {
      if (!this.writeFailing) this.logger.error(`disk queue: cannot write to ${this.dir}, retrying: ${errorMessage(err)}`);
      this.writeFailing = true;
      this.writeRetry ??= setTimeout(() => {
        this.writeRetry = undefined;
        this.flush();
      }, WRITE_RETRY_MS);
    } finally {
      if (start > 0) this.pending = start === pending.length ? [] : pending.slice(start);
    }
    this.updateFillMetrics();
    this.waiting.schedule();
  }

  /** The segment to append to: the last one, or a new one when it is full (or absent). */
  private writableSegment(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && this.writeFd !== undefined && last.bytes < this.segmentSize) return last;
    if (this.writeFd !== undefined) {
      fs.fsyncSync(this.writeFd);
      fs.closeSync(this.writeFd);
      this.writeFd = undefined;
    }
    const id = this.nextSegmentId++;
    const file = segmentPath(this.dir, id);
    const fd = fs.openSync(file, 'w', 0o600);
    const header = encodeSegmentHeader(this.writtenFrame);
    fs.writeSync(fd, header, 0, header.length, 0);
    this.writeFd = fd;
    const segment: Segment = { id, firstFrame: this.writtenFrame, frames: 0, bytes: header.length };
    this.segments.push(segment);
    this.diskBytes += header.length;
    return segment;
  }

  /** The first `n` pending producers' events are on disk: their producers are told, one run at a time. */
  private ackProducers(n: number): void {
    const producers = this.pendingProducers;
    let run: QueueProducer | undefined;
    let runN = 0;
    for (let k = 0; k < n; k++) {
      const p = producers[k];
      if (p !== run) {
        if (run !== undefined) run.deliverAcks(runN);
        run = p;
        runN = 0;
      }
      runN++;
    }
    this.pendingProducers = producers.slice(n);
    this.m.eventsActive.value -= n;
    if (run !== undefined) run.deliverAcks(runN);
  }

  // ---- reading ------------------------------------------------------------

  /** Reads up to `max` frames at the read position; `false` when nothing could be read. */
  private readSome(frames: number[], events: BeatEvent[], max: number): boolean {
    let segment = this.segments[this.readSegment];
    while (segment !== undefined && this.readFrame >= segment.firstFrame + segment.frames) {
      if (this.readSegment === this.segments.length - 1) return false;
      this.readSegment++;
      this.readOffset = SEGMENT_HEADER_BYTES;
      segment = this.segments[this.readSegment];
    }
    if (segment === undefined) return false;
    const fd = this.readFdFor(segment);
    const available = segment.bytes - this.readOffset;
    let size = Math.min(available, READ_CHUNK_BYTES);
    let chunk = Buffer.allocUnsafe(size);
    fs.readSync(fd, chunk, 0, size, this.readOffset);
    const first = chunk.length >= FRAME_HEADER_BYTES ? FRAME_HEADER_BYTES + chunk.readUInt32LE(0) : available;
    if (first > size) {
      // One frame larger than a chunk.
      size = Math.min(first, available);
      chunk = Buffer.allocUnsafe(size);
      fs.readSync(fd, chunk, 0, size, this.readOffset);
    }
    let at = 0;
    let read = 0;
    while (read < max && this.readFrame < segment.firstFrame + segment.frames && at + FRAME_HEADER_BYTES <= chunk.length) {
      const length = chunk.readUInt32LE(at);
      const end = at + FRAME_HEADER_BYTES + length;
      if (end > chunk.length) break;
      const frame = this.readFrame;
      const payload = chunk.subarray(at + FRAME_HEADER_BYTES, end);
      let event: BeatEvent | undefined;
      try {
        if (crc32(payload) !== chunk.readUInt32LE(at + 4)) throw new Error('checksum mismatch');
        event = decodeFramePayload(payload);
      } catch (err) {
        this.logger.error(`disk queue: frame ${frame} is damaged and is dropped: ${errorMessage(err)}`);
        this.done.add(frame);
        this.countDropped(1);
      }
      if (event !== undefined) {
        frames.push(frame);
        events.push(event);
      }
      this.readFrame++;
      this.readOffset += end - at;
      at = end;
      read++;
    }
    if (read === 0) return false;
    this.advance();
    return true;
  }

  private readFdFor(segment: Segment): number {
    if (this.readFd !== undefined && this.readFdSegment === segment.id) return this.readFd;
    this.closeReadFd();
    this.readFd = fs.openSync(segmentPath(this.dir, segment.id), 'r');
    this.readFdSegment = segment.id;
    return this.readFd;
  }

  private closeReadFd(): void {
    if (this.readFd !== undefined) fs.closeSync(this.readFd);
    this.readFd = undefined;
    this.readFdSegment = -1;
  }

  private takeRetryBatch(): QueueBatch {
    const taken = this.retryList.splice(0, this.batchSize);
    this.handedOut(taken.length);
    return new QueueBatch(
      this,
      taken.map((r) => r.event),
      0,
      taken.map((r) => r.frame),
      Number.POSITIVE_INFINITY,
    );
  }

  private handedOut(n: number): void {
    this.m.outputBatches.value += 1;
    this.m.outputTotal.value += n;
    this.m.outputActive.value += n;
  }

  // ---- acknowledging ------------------------------------------------------

  private retryOrDrop(failed: readonly { frame: number; event: BeatEvent }[]): void {
    const resend: { frame: number; event: BeatEvent }[] = [];
    let exhausted = 0;
    for (const r of failed) {
      const tries = (this.retries.get(r.frame) ?? 0) + 1;
      if (this.maxRetries >= 0 && tries > this.maxRetries) {
        this.retries.delete(r.frame);
        this.done.add(r.frame);
        exhausted++;
      } else {
        this.retries.set(r.frame, tries);
        resend.push(r);
      }
    }
    if (resend.length > 0) {
      this.m.eventsRetry.value += resend.length;
      this.retryList = resend.concat(this.retryList);
    }
    if (exhausted > 0) {
      this.logger.warn(`dropping ${exhausted} events: retry limit (max_retries: ${this.maxRetries}) reached`, { events: exhausted });
      this.countDropped(exhausted);
    }
  }

  private countDropped(n: number): void {
    this.droppedTotal += n;
    this.m.eventsDropped.value += n;
  }

  /** Moves `ackHead` over done frames, saves it, and deletes segments wholly behind it. */
  private advance(): void {
    const before = this.ackHead;
    while (this.done.delete(this.ackHead)) {
      this.retries.delete(this.ackHead);
      this.ackHead++;
    }
    if (this.ackHead === before) return;
    this.state.save(this.ackHead);
    let freed = false;
    for (let oldest = this.segments[0]; oldest !== undefined && oldest.firstFrame + oldest.frames <= this.ackHead; oldest = this.segments[0]) {
      if (this.segments.length === 1 && this.writeFd !== undefined) {
        // The segment being written is done too: close it, the next write starts a new one.
        fs.closeSync(this.writeFd);
        this.writeFd = undefined;
      }
      if (this.readFdSegment === oldest.id) this.closeReadFd();
      fs.rmSync(segmentPath(this.dir, oldest.id), { force: true });
      this.segments.shift();
      this.diskBytes -= oldest.bytes;
      // The reader moves on with the segments; if it was in the deleted one, it had read it all.
      if (this.readSegment > 0) this.readSegment--;
      else this.readOffset = SEGMENT_HEADER_BYTES;
      freed = true;
    }
    this.updateFillMetrics();
    if (freed && this.onRelease !== undefined) this.onRelease();
  }

  private updateFillMetrics(): void {
    const events = this.size;
    this.m.queueFilledEvents.value = events;
    this.m.queueFilledBytes.value = this.usedBytes;
    this.m.queueFilledPct.value = this.maxSize > 0 ? Math.min(1, this.usedBytes / this.maxSize) : 0;
  }


}

/** Writes all of `buffers` at `position`, however many calls that takes. */
function writeFully(fd: number, buffers: Buffer[], position: number): void {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  let written = fs.writevSync(fd, buffers, position);
  if (written >= total) return;
  const rest = Buffer.concat(buffers).subarray(written);
  while (written < total) written += fs.writeSync(fd, rest, written - (total - rest.length), total - written, position + written);
}

export function diskQueueDefaultPath(dataPath: string): string {
  return path.join(dataPath, 'diskqueue');
}
