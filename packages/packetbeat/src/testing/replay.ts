import { hostname } from 'node:os';
import {
  MetricsRegistry,
  mergeFields,
  runProcessors,
  type BeatEvent,
  type BeatInfo,
  type LogFields,
  type Logger,
  type PipelineClient,
  type Processor,
  type PublishResult,
} from '@packetbeat-ts/libbeat';
import type { ProtocolPlugin } from '@packetbeat-ts/protocol-sdk';
import { openCaptureFile } from '../capture/capture-file.js';
import { PacketEngine } from '../engine/engine.js';
import { loadProtocols } from '../protocols/loader.js';
import { ProtocolRegistry } from '../protocols/registry.js';
import { PACKETBEAT_VERSION } from '../version.js';

export interface ReplayCaptureOptions {
  /**
   * The protocol's item settings, as under `packetbeat.protocols` without
   * `type`/`package` (e.g. `{ ports: [7777], send_request: true }`).
   * Default: none (the plugin's default ports and settings).
   */
  readonly config?: Record<string, unknown>;
  /** Flow records are not produced by a replay (reserved for later). */
  readonly flows?: false;
}

/** Packets handed to the engine per read. */
const BATCH = 4096;

/**
 * Replays a pcap/pcapng file through one protocol plugin as `packetbeat -I
 * file -t` would, and returns the protocol's documents in publish order, as
 * `{ '@timestamp': ISO string, ...fields }` (Packetbeat's own fields:
 * `type`, `status`, `event.*`, `client/server/source/destination`,
 * `network.*`, `related.*` and the protocol's; without `agent`/`host`/`ecs`,
 * which the pipeline adds at publish time).
 *
 * The config is validated exactly as `packetbeat.protocols` is (brand, SDK
 * version range, common options and the plugin's `configSchema`), and a bad
 * one throws the loader's `BeatError` (`BEAT_ERR_CONFIG_INVALID`, naming
 * `packetbeat.protocols.0.<key>`). The item's `fields`, `tags` and
 * `processors` are applied as the pipeline client applies them. Unknown
 * settings are reported on stderr, as the loader warns about them.
 * `enabled: false` gives no documents.
 */
export async function replayCapture(plugin: ProtocolPlugin, capturePath: string, options: ReplayCaptureOptions = {}): Promise<Record<string, unknown>[]> {
  const logger = stderrLogger('packetbeat');
  const item: Record<string, unknown> = { ...(options.config ?? {}) };
  delete item['package'];
  item['type'] = plugin.name;
  const info: BeatInfo = {
    beat: 'packetbeat',
    name: hostname(),
    version: PACKETBEAT_VERSION,
    id: '00000000-0000-0000-0000-000000000000',
    ephemeralId: '00000000-0000-0000-0000-000000000000',
    hostname: hostname(),
    startTime: new Date(0),
  };
  const { protocols, warnings } = await loadProtocols([item], {
    processorContext: { beat: info, logger: logger.named('processors') },
    registry: new ProtocolRegistry([plugin]),
    extraResolveDirs: [],
  });
  for (const w of warnings) logger.warn(w.message);
  const loaded = protocols[0];
  if (loaded === undefined) return [];

  const documents: Record<string, unknown>[] = [];
  const client = collectingClient(documents, clientChain(loaded.config.tags, loaded.config.fields, loaded.config.fields_under_root, loaded.processors));
  const engine = new PacketEngine({
    protocols: [{ plugin: loaded.plugin, config: loaded.config, client }],
    internalNetworks: [],
    logger,
    metrics: new MetricsRegistry(),
  });

  const reader = openCaptureFile(capturePath);
  try {
    while (!reader.done) reader.readBatch(engine, BATCH);
    if (reader.damage !== undefined) logger.warn(`${capturePath}: reading stopped early: ${JSON.stringify(reader.damage)}`);
    engine.finish();
  } finally {
    reader.close();
    client.close();
  }
  return documents;
}

/** The processing a pipeline client applies to a protocol's events: tags, fields, then its processors. */
function clientChain(tags: readonly string[], fields: Record<string, unknown>, underRoot: boolean, processors: readonly Processor[]): Processor[] {
  const chain: Processor[] = [];
  if (tags.length > 0) {
    chain.push({
      name: 'add_client_tags',
      run(event: BeatEvent): BeatEvent {
        const current = event.fields['tags'];
        if (Array.isArray(current)) current.push(...tags);
        else if (current === undefined) event.fields['tags'] = [...tags];
        return event;
      },
    });
  }
  if (Object.keys(fields).length > 0) {
    const source = underRoot ? fields : { fields };
    chain.push({
      name: 'add_client_fields',
      run(event: BeatEvent): BeatEvent {
        mergeFields(event.fields, source, true);
        return event;
      },
    });
  }
  chain.push(...processors);
  return chain;
}

/** A pipeline client that never blocks: each event passing the chain becomes a document. */
function collectingClient(into: Record<string, unknown>[], chain: readonly Processor[]): PipelineClient {
  let closed = false;
  return {
    publish(event: BeatEvent): PublishResult {
      if (closed) return 'dropped';
      const out = runProcessors(chain, event);
      if (out === null) return 'filtered';
      into.push({ '@timestamp': out.timestamp.toISOString(), ...out.fields });
      return 'queued';
    },
    waitForSpace: () => Promise.resolve(),
    close(): void {
      closed = true;
    },
  };
}

/** Warnings and errors to stderr; debug and info are dropped (a test's output stays quiet). */
function stderrLogger(name: string): Logger {
  const write = (level: string, message: string, fields?: LogFields): void => {
    const extra = fields === undefined || Object.keys(fields).length === 0 ? '' : ` ${JSON.stringify(fields)}`;
    process.stderr.write(`replayCapture ${level} [${name}] ${message}${extra}\n`);
  };
  return {
    name,
    debug: () => undefined,
    info: () => undefined,
    warn: (message, fields) => write('WARN', message, fields),
    error: (message, fields) => write('ERROR', message, fields),
    isDebugEnabled: () => false,
    named: (sub) => stderrLogger(sub),
  };
}
