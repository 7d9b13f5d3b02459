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
}

/**
 * One published event as it crosses to the coordinator:
 * [seq of the record that caused it, client index, @timestamp ms, fields, meta or 0].
 */
export type ForwardedEvent = [number, number, number, Record<string, unknown>, Record<string, unknown> | 0];

export type ToWorker =
  | { readonly type: 'batch'; readonly buffer: ArrayBuffer; readonly used: number }
  | { readonly type: 'finish'; readonly seq: number; readonly nowUs: number };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  /** A batch is done: its buffer comes back, with the events it caused (JSON of ForwardedEvent[]). */
  | { readonly type: 'done'; readonly buffer: ArrayBuffer; readonly events: string; readonly metrics?: ReadonlyArray<[string, unknown]> }
  | { readonly type: 'finished'; readonly events: string; readonly metrics: ReadonlyArray<[string, unknown]> }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly logger: string; readonly message: string; readonly fields?: Record<string, unknown> };
