import os from 'node:os';
import readline from 'node:readline';
import { compileNetwork, createProcessors, parseDuration, type Beater, type BeaterContext, type BeaterSetup, type PipelineClient } from '@packetbeat-ts/libbeat';
import { PacketEngine } from './engine/engine.js';
import { engineAnalysis, poolAnalysis, type Analysis } from './engine/analysis.js';
import { WorkerPool } from './workers/worker-pool.js';
import { loadProtocols, type LoadedProtocol } from './protocols/loader.js';
import { builtinProtocols } from './protocols/builtins.js';
import { replayCaptureFile } from './sources/file-source.js';
import { captureLive, defaultBpfFilter, liveCaptureBackend } from './sources/live-source.js';
import { openPcapWriter, dumpFileName } from './capture/pcap-writer.js';
import { openCaptureFile } from './capture/capture-file.js';
import type { PacketSink } from './capture/packet-sink.js';
import { BeatError, ErrorCodes } from '@packetbeat-ts/libbeat';

/** Builds the beater: loads and validates the protocols (imports plugins, opens nothing). */
export async function createPacketbeat(setup: BeaterSetup): Promise<Beater> {
  const { config, info, logger } = setup;
  const result = await loadProtocols(config.get('packetbeat.protocols'), {
    processorContext: { beat: info, logger: logger.named('processors') },
    registry: builtinProtocols(),
    home: config.get<string>('path.home'),
    originOf: (key) => config.originOf(key),
  });
  for (const w of result.warnings) logger.warn(`${w.origin}: ${w.message}`);
  const internal = config.get<string[]>('packetbeat.interfaces.internal_networks').map((spec, i) => compileNetwork(spec, `packetbeat.interfaces.internal_networks.${i}`));
  return new PacketbeatBeater(setup, result.protocols, internal);
}

/** Packetbeat's main loop: a packet source feeding the engine until the source ends or a signal stops it. */
export class PacketbeatBeater implements Beater {
  constructor(
    private readonly setup: BeaterSetup,
    private readonly protocols: readonly LoadedProtocol[],
    private readonly internalNetworks: ReadonlyArray<ReturnType<typeof compileNetwork>>,
  ) {}

  /** No processors, fields or tags anywhere (global, per protocol, flows): events need only the beat's own fields. */
  private nothingToProcess(): boolean {
    const { config } = this.setup;
    const empty = (key: string): boolean => {
      const v = config.get<unknown>(key);
      return v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0);
    };
    if (!['processors', 'fields', 'tags', 'packetbeat.flows.processors', 'packetbeat.flows.fields', 'packetbeat.flows.tags'].every(empty)) return false;
    return this.protocols.every((p) => p.processors.length === 0 && Object.keys(p.config.fields).length === 0 && p.config.tags.length === 0);
  }

  /** `packetbeat.flows.*`: its own pipeline client, with the flows' fields, tags and processors. */
  private flowSettings(ctx: BeaterContext, mode: 'default' | 'drop_if_full', preprocessed = false): { client: PipelineClient; timeoutUs: number; periodUs: number } {
    const { config, info, logger } = this.setup;
    if (preprocessed) {
      return {
        client: ctx.pipeline.connect({ mode, preprocessed: true }),
        timeoutUs: (parseDuration(config.get('packetbeat.flows.timeout')) ?? 30_000) * 1000,
        periodUs: (parseDuration(config.get('packetbeat.flows.period')) ?? 10_000) * 1000,
      };
    }
    const processors = createProcessors(config.get('packetbeat.flows.processors'), { beat: info, logger: logger.named('processors') }, undefined, 'packetbeat.flows.processors');
    return {
      client: ctx.pipeline.connect({
        mode,
        processors,
        fields: config.get<Record<string, unknown>>('packetbeat.flows.fields'),
        fieldsUnderRoot: config.get<boolean>('packetbeat.flows.fields_under_root'),
        tags: config.get<string[]>('packetbeat.flows.tags'),
      }),
      timeoutUs: (parseDuration(config.get('packetbeat.flows.timeout')) ?? 30_000) * 1000,
      periodUs: (parseDuration(config.get('packetbeat.flows.period')) ?? 10_000) * 1000,
    };
  }

  async run(ctx: BeaterContext): Promise<void> {
    const { config } = this.setup;
    const fileFlag = ctx.flags['I'];
    const file = typeof fileFlag === 'string' && fileFlag !== '' ? fileFlag : config.get<string>('packetbeat.interfaces.file');
    const live = file === '';
    // Fails before anything opens when neither libpcap binding is there.
    if (live) liveCaptureBackend();
    if (this.protocols.length === 0 && !config.get<boolean>('packetbeat.flows.enabled')) ctx.logger.warn('neither protocols nor flows are enabled: nothing will be published');

    // A file replay waits for the queue rather than dropping; live capture never stalls: a full queue drops and counts.
    const mode = live ? 'drop_if_full' : 'default';
    const workers = workerCount(config.get<number>('packetbeat.workers'));
    // Workers encode the documents themselves when nothing is configured to process them.
    const encoded = workers > 1 && this.nothingToProcess();
    const clients = this.protocols.map((p) =>
      ctx.pipeline.connect(
        encoded
          ? { mode, preprocessed: true }
          : { mode, processors: p.processors, fields: p.config.fields, fieldsUnderRoot: p.config.fields_under_root, tags: p.config.tags },
      ),
    );
    const flows = config.get<boolean>('packetbeat.flows.enabled') ? this.flowSettings(ctx, mode, encoded) : undefined;
    const ignoreOutgoingFrom = config.get<boolean>('packetbeat.ignore_outgoing') ? localAddresses() : undefined;
    let analysis: Analysis;
    if (workers > 1) {
      const pool = await WorkerPool.start({
        workers,
        settings: {
          protocols: config.get('packetbeat.protocols'),
          home: config.get<string>('path.home'),
          beat: this.setup.info,
          internalNetworks: config.get<string[]>('packetbeat.interfaces.internal_networks'),
          ...(ignoreOutgoingFrom !== undefined ? { ignoreOutgoingFrom: [...ignoreOutgoingFrom] } : {}),
          ...(flows !== undefined ? { flows: { timeoutUs: flows.timeoutUs, periodUs: flows.periodUs } } : {}),
          debug: ctx.logger.isDebugEnabled(),
          encoded,
        },
        clients: flows !== undefined ? [...clients, flows.client] : clients,
        protocolClients: clients.length,
        logger: ctx.logger,
        metrics: ctx.metrics,
        live,
      });
      ctx.logger.info(`analyzing with ${workers} worker threads`, { documents_encoded_in_workers: encoded });
      analysis = poolAnalysis(pool);
    } else {
      analysis = engineAnalysis(
        new PacketEngine({
          protocols: this.protocols.map((p, i) => ({ plugin: p.plugin, config: p.config, client: clients[i] as PipelineClient })),
          internalNetworks: this.internalNetworks,
          logger: ctx.logger,
          metrics: ctx.metrics,
          ...(ignoreOutgoingFrom !== undefined ? { ignoreOutgoingFrom } : {}),
          ...(flows !== undefined ? { flows } : {}),
        }),
      );
    }
    try {
      await this.analyze(ctx, analysis, file);
    } finally {
      await analysis.close();
    }
  }

  private async analyze(ctx: BeaterContext, analysis: Analysis, file: string): Promise<void> {
    const { config } = this.setup;
    const live = file === '';
    if (live) {
      const configured = config.get<string>('packetbeat.interfaces.bpf_filter');
      const ports = this.protocols.flatMap((p) => p.transports.flatMap((transport) => (transport === 'icmp' ? [] : p.ports.map((port) => ({ transport, port })))));
      const filter = configured !== '' ? configured : defaultBpfFilter(ports, config.get<boolean>('packetbeat.flows.enabled'), config.get<boolean>('packetbeat.interfaces.with_vlans'));
      try {
        await captureLive(analysis, {
          device: config.get<string>('packetbeat.interfaces.device'),
          filter,
          bufferSizeMb: config.get<number>('packetbeat.interfaces.buffer_size_mb'),
          snaplen: config.get<number>('packetbeat.interfaces.snaplen'),
          signal: ctx.signal,
          logger: ctx.logger,
          metrics: ctx.metrics,
          ignoreOutgoing: config.get<boolean>('packetbeat.interfaces.ignore_outgoing'),
          promiscuous: config.get<boolean>('packetbeat.interfaces.auto_promisc_mode'),
        });
      } finally {
        await analysis.finish();
      }
      return;
    }

    let sink: PacketSink = analysis;
    let closeDump = (): void => undefined;
    const dumpFlag = ctx.flags['dump'];
    if (typeof dumpFlag === 'string' && dumpFlag !== '') {
      const probe = openCaptureFile(file);
      const linkType = probe.linkType;
      probe.close();
      const writer = openPcapWriter(dumpFileName(dumpFlag), linkType);
      sink = {
        packet(data, offset, capLen, origLen, tsSec, tsNsec, lt) {
          writer.write(data, offset, capLen, origLen, tsSec, tsNsec);
          analysis.packet(data, offset, capLen, origLen, tsSec, tsNsec, lt);
        },
      };
      closeDump = () => writer.close();
    }

    const loopsFlag = ctx.flags['l'];
    const loops = typeof loopsFlag === 'string' ? Number(loopsFlag) : 1;
    if (!Number.isInteger(loops) || loops < 0) throw new BeatError(ErrorCodes.CONFIG_INVALID, `-l ${String(loopsFlag)}: expected a whole number of loops (0 = forever)`);
    const step = ctx.flags['O'] === true ? stdinStepper() : undefined;
    try {
      const packets = await replayCaptureFile(sink, {
        path: file,
        fast: ctx.flags['t'] === true,
        loops,
        signal: ctx.signal,
        logger: ctx.logger,
        backpressure: () => {
          analysis.flush();
          return analysis.backpressure;
        },
        waitForSpace: () => analysis.waitForSpace(),
        ...(step !== undefined ? { step: step.next } : {}),
      });
      await analysis.finish();
      ctx.logger.info(`read ${packets} packets from ${file}`, analysis.summary());
    } finally {
      step?.close();
      closeDump();
    }
  }
}

/** `packetbeat.workers`: 0 means one per core. */
function workerCount(configured: number): number {
  return configured === 0 ? os.availableParallelism() : configured;
}

/** This host's interface addresses, for `packetbeat.ignore_outgoing`. */
function localAddresses(): Set<string> {
  return new Set(Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)));
}

/** `-O`: waits for Enter on stdin before each packet. */
function stdinStepper(): { next: () => Promise<void>; close: () => void } {
  const rl = readline.createInterface({ input: process.stdin });
  const waiting: Array<() => void> = [];
  rl.on('line', () => waiting.shift()?.());
  return {
    next: () => new Promise<void>((resolve) => waiting.push(resolve)),
    close: () => rl.close(),
  };
}
