import type { BeatInfo } from '@packetbeat-ts/libbeat';

/** What a worker is started with (`workerData`): enough to build the same engine as a single-threaded run. */
export interface WorkerSettings {
  readonly index: number;
  /** `packetbeat.protocols` as configured; loaded again in the worker, in the same order. */
  readonly protocols: unknown;
  readonly home: string;
  readonly beat: BeatInfo;
  /** `packetbeat.interfaces.internal_networks` as configured. */
  readonly internalNetworks: readonly string[];
  readonly ignoreOutgoingFrom?: readonly string[];
  readonly flows?: { readonly timeoutUs: number; readonly periodUs: number };
  readonly debug: boolean;
  /**
   * Nothing is configured to process events (no processors, fields or tags,
   * global or per protocol): the worker adds the beat's own fields and
   * encodes each document to JSON itself, and the coordinator publishes the
   * text as it is (preprocessed clients, `EncodedEvent`s).
   */
  readonly encoded: boolean;
}

/**
 * One published event as it crosses to the coordinator:
 * [seq of the record that caused it, client index, @timestamp ms, fields (their JSON as UTF-8 bytes when encoded), meta or 0].
 */
export type ForwardedEvent = [number, number, number, Record<string, unknown> | Uint8Array, Record<string, unknown> | 0];

/**
 * Encoded documents of a batch in columns: all the documents' JSON as
 * UTF-8 in one buffer (transferred, not copied, to the coordinator, which
 * hands views of it to the output), where each ends, and per event its
 * seq, client index and @timestamp ms.
 */
export interface EncodedBatch {
  readonly bytes: ArrayBuffer;
  /** Byte offset in `bytes` where each document ends. */
  readonly ends: Uint32Array;
  /** seq, client, ms for each event, one after the other. */
  readonly numbers: Float64Array;
  /** Event index and meta, for the few events that have meta. */
  readonly metas: ReadonlyArray<readonly [number, Record<string, unknown>]>;
}

/** A batch of events: one JSON text of `ForwardedEvent[]` (fields as objects), or an encoded batch. */
export type ForwardedEvents = string | EncodedBatch;

export type ToWorker =
  | { readonly type: 'batch'; readonly buffer: ArrayBuffer; readonly used: number }
  | { readonly type: 'finish'; readonly seq: number; readonly nowUs: number };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  /** A batch is done: its buffer comes back, with the events it caused (JSON of ForwardedEvent[]). */
  | { readonly type: 'done'; readonly buffer: ArrayBuffer; readonly events: ForwardedEvents; readonly metrics?: ReadonlyArray<[string, unknown]> }
  | { readonly type: 'finished'; readonly events: ForwardedEvents; readonly metrics: ReadonlyArray<[string, unknown]> }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly logger: string; readonly message: string; readonly fields?: Record<string, unknown> };
