/**
 * A packetbeat worker thread: one shard of the connections. It builds the
 * same engine as a single-threaded run (protocols loaded again from the
 * config, in the same order), analyzes the packets the coordinator sends in
 * batches, and sends back the events they caused, stamped with the record
 * that caused them so the coordinator can publish them in capture order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { beatFieldsProcessor, compileNetwork, MetricsRegistry, type BeatEvent, type LogFields, type Logger, type PipelineClient, type PublishResult } from '@packetbeat-ts/libbeat';
import { PacketEngine } from '../engine/engine.js';
import { builtinProtocols } from '../protocols/builtins.js';
import { loadProtocols } from '../protocols/loader.js';
import type { ForwardedEvents, FromWorker, ToWorker, WorkerSettings } from './messages.js';
import { readBatch, type RecordVisitor } from './packet-batch.js';

const port = parentPort;
if (port === null) throw new Error('worker-main runs only as a worker thread');
const settings = workerData as WorkerSettings;

function send(message: FromWorker, transfer?: ArrayBuffer[]): void {
  port?.postMessage(message, transfer);
}

/** Log lines go to the coordinator, which writes them with its own logger of the same name. */
class ForwardingLogger implements Logger {
  constructor(readonly name: string) {}
  debug(message: string, fields?: LogFields): void {
    if (settings.debug) send({ type: 'log', level: 'debug', logger: this.name, message, ...(fields !== undefined ? { fields } : {}) });
  }
  info(message: string, fields?: LogFields): void {
    send({ type: 'log', level: 'info', logger: this.name, message, ...(fields !== undefined ? { fields } : {}) });
  }
  warn(message: string, fields?: LogFields): void {
    send({ type: 'log', level: 'warn', logger: this.name, message, ...(fields !== undefined ? { fields } : {}) });
  }
  error(message: string, fields?: LogFields): void {
    send({ type: 'log', level: 'error', logger: this.name, message, ...(fields !== undefined ? { fields } : {}) });
  }
  isDebugEnabled(): boolean {
    return settings.debug;
  }
  named(name: string): Logger {
    return new ForwardingLogger(name);
  }
}

/** Events published in the worker are collected for the coordinator, with the record that caused them. */
let currentSeq = 0;
/** As `ForwardedEvent`, with an encoded document still as its JSON text (made bytes when the batch is sent). */
type PendingEvent = [number, number, number, Record<string, unknown> | string, Record<string, unknown> | 0];
let outbox: PendingEvent[] = [];

/** With `settings.encoded`, the beat's own fields (agent, ecs, host) are added here, as the coordinator's pipeline would. */
const beatFields = settings.encoded ? beatFieldsProcessor(settings.beat) : undefined;

class ForwardingClient implements PipelineClient {
  constructor(private readonly index: number) {}
  publish(event: BeatEvent): PublishResult {
    if (beatFields !== undefined) {
      beatFields.run(event);
      outbox.push([currentSeq, this.index, event.timestamp.getTime(), JSON.stringify(event.fields), event.meta ?? 0]);
    } else {
      outbox.push([currentSeq, this.index, event.timestamp.getTime(), event.fields, event.meta ?? 0]);
    }
    return 'queued';
  }
  waitForSpace(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    // The coordinator's clients are the real ones.
  }
}

/** Metrics the coordinator counts itself (it decodes every packet and publishes every event). */
const COORDINATOR_METRICS = /^packetbeat\.(packets\.total|decode\.|transactions\.(published|dropped))/;
const METRICS_PERIOD_MS = 500;

function metricsSnapshot(registry: MetricsRegistry): Array<[string, unknown]> {
  return [...registry.flat()].filter(([name]) => !COORDINATOR_METRICS.test(name));
}

async function start(): Promise<void> {
  const logger = new ForwardingLogger('packetbeat');
  const registry = new MetricsRegistry();
  const loaded = await loadProtocols(settings.protocols, {
    processorContext: { beat: settings.beat, logger: logger.named('processors') },
    registry: builtinProtocols(),
    home: settings.home,
  });
  const engine = new PacketEngine({
    protocols: loaded.protocols.map((p, i) => ({ plugin: p.plugin, config: p.config, client: new ForwardingClient(i) })),
    internalNetworks: settings.internalNetworks.map((spec, i) => compileNetwork(spec, `packetbeat.interfaces.internal_networks.${i}`)),
    logger,
    metrics: registry,
    ...(settings.ignoreOutgoingFrom !== undefined ? { ignoreOutgoingFrom: new Set(settings.ignoreOutgoingFrom) } : {}),
    ...(settings.flows !== undefined ? { flows: { client: new ForwardingClient(loaded.protocols.length), ...settings.flows } } : {}),
  });

  const visitor: RecordVisitor = {
    packet(seq, nowUs, data, offset, capLen, origLen, tsSec, tsNsec, linkType, vlan0, vlan1) {
      currentSeq = seq;
      engine.packetAt(data, offset, capLen, origLen, tsSec, tsNsec, linkType, nowUs, vlan0, vlan1);
    },
    expire(seq, nowUs) {
      currentSeq = seq;
      engine.expire(nowUs);
    },
  };

  let lastMetrics = 0;
  const take = (): { events: ForwardedEvents; transfer: ArrayBuffer[] } => {
    const events = outbox;
    outbox = [];
    if (events.length === 0) return { events: '', transfer: [] };
    if (!settings.encoded) return { events: JSON.stringify(events), transfer: [] };
    const ends = new Uint32Array(events.length);
    const numbers = new Float64Array(events.length * 3);
    const metas: Array<[number, Record<string, unknown>]> = [];
    let total = 0;
    for (const event of events) total += Buffer.byteLength(event[3] as string, 'utf8');
    // Its own ArrayBuffer (never a slice of Buffer's shared pool): it is transferred.
    const bytes = new ArrayBuffer(total);
    const out = Buffer.from(bytes);
    let end = 0;
    events.forEach(([seq, client, ms, text, meta], i) => {
      end += out.write(text as string, end, 'utf8');
      ends[i] = end;
      numbers[i * 3] = seq;
      numbers[i * 3 + 1] = client;
      numbers[i * 3 + 2] = ms;
      if (meta !== 0) metas.push([i, meta]);
    });
    return { events: { bytes, ends, numbers, metas }, transfer: [bytes, ends.buffer, numbers.buffer] };
  };
  port?.on('message', (message: ToWorker) => {
    if (message.type === 'batch') {
      readBatch(message.buffer, message.used, visitor);
      const now = Date.now();
      const metrics = now - lastMetrics >= METRICS_PERIOD_MS ? metricsSnapshot(registry) : undefined;
      if (metrics !== undefined) lastMetrics = now;
      const { events, transfer } = take();
      send({ type: 'done', buffer: message.buffer, events, ...(metrics !== undefined ? { metrics } : {}) }, [message.buffer, ...transfer]);
    } else {
      currentSeq = message.seq;
      engine.finish(message.nowUs);
      const { events, transfer } = take();
      send({ type: 'finished', events, metrics: metricsSnapshot(registry) }, transfer);
    }
  });
  send({ type: 'ready' });
}

start().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
});
