// `@packetbeat-ts/protocol-sdk/testing`: test a plugin against real captures.
// The work is done by Packetbeat itself, loaded on demand, so the SDK keeps
// no runtime dependencies: plugin authors add `@packetbeat-ts/packetbeat` as
// a dev dependency.
import type { ProtocolPlugin } from './types.js';

export interface ReplayCaptureOptions {
  /**
   * The protocol's settings, as in a `packetbeat.protocols` item without
   * `type`/`package` (e.g. `{ ports: [7777], send_request: true }`).
   * Default: none (the plugin's default ports and settings).
   */
  readonly config?: Record<string, unknown>;
  /** Flow records are not produced by a replay. */
  readonly flows?: false;
}

/** The package that does the replay, and what this module needs of it. */
const PACKETBEAT_PACKAGE = '@packetbeat-ts/packetbeat';

interface PacketbeatTesting {
  replayCapture(plugin: ProtocolPlugin, capturePath: string, options?: ReplayCaptureOptions): Promise<Record<string, unknown>[]>;
}

let loading: Promise<PacketbeatTesting> | undefined;

async function loadPacketbeat(): Promise<PacketbeatTesting> {
  let mod: unknown;
  try {
    // A variable specifier: the SDK neither depends on nor type-checks against Packetbeat.
    const specifier: string = PACKETBEAT_PACKAGE;
    mod = (await import(specifier)) as unknown;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    const message = err instanceof Error ? err.message : String(err);
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(PACKETBEAT_PACKAGE)) {
      throw new Error(
        `replayCapture needs Packetbeat to replay captures, but "${PACKETBEAT_PACKAGE}" is not installed: ` +
          `add it as a dev dependency of your plugin (npm install --save-dev ${PACKETBEAT_PACKAGE})`,
        { cause: err },
      );
    }
    throw err;
  }
  const replay = (mod as { replayCapture?: unknown } | null)?.replayCapture;
  if (typeof replay !== 'function') {
    throw new Error(`replayCapture: the installed "${PACKETBEAT_PACKAGE}" has no replayCapture export; install a version that provides it`);
  }
  return { replayCapture: replay as PacketbeatTesting['replayCapture'] };
}

/**
 * Replays a pcap or pcapng file through `plugin` inside Packetbeat (as
 * `packetbeat -I file -t` does) and resolves to the documents the protocol
 * published, in order, as `{ '@timestamp': ISO string, ...fields }`: the
 * framework's ECS fields (`type`, `status`, `event.*`, `client`, `server`,
 * `network.*`, …) plus the plugin's own.
 *
 * `config` is validated exactly as a `packetbeat.protocols` item is (brand,
 * `sdkVersion`, common options and the plugin's `configSchema`); a bad one
 * rejects with Packetbeat's `BeatError` (`BEAT_ERR_CONFIG_INVALID`, naming
 * `packetbeat.protocols.0.<key>`).
 *
 * Needs `@packetbeat-ts/packetbeat` installed (a dev dependency); rejects
 * with an explanation when it is not.
 */
export async function replayCapture(plugin: ProtocolPlugin, capturePath: string, options: ReplayCaptureOptions = {}): Promise<Record<string, unknown>[]> {
  loading ??= loadPacketbeat();
  let packetbeat: PacketbeatTesting;
  try {
    packetbeat = await loading;
  } catch (err) {
    loading = undefined; // let a later call try again (after an install)
    throw err;
  }
  return packetbeat.replayCapture(plugin, capturePath, options);
}
