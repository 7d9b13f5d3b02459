import { lstatSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { userInfo } from 'node:os';
import type { BeatInfo } from '../beat/info.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from './metrics.js';

/** `http.*`: the monitoring endpoint. */
export interface HttpEndpointSettings {
  /** `http.enabled` (default false). */
  enabled: boolean;
  /** `http.host` (default `localhost`); `unix:///path/to.sock` listens on a unix socket. */
  host: string;
  /** `http.port` (default 5066); 0 picks a free port. */
  port: number;
}

export const DEFAULT_HTTP_ENDPOINT: Readonly<HttpEndpointSettings> = { enabled: false, host: 'localhost', port: 5066 };

export interface MonitoringHttpServerOptions {
  /** Default `localhost`. */
  host?: string;
  /** Default 5066. */
  port?: number;
  info: BeatInfo;
  /** Served whole on `/stats`. */
  registry: MetricsRegistry;
  /** Served on `/state` (beat info, `output.name`, `queue.name`, host). */
  stateProvider?: () => object;
  /** `build_commit` and `build_time` on `/`. */
  build?: { commit?: string; time?: string };
  logger?: Logger;
}

/** Where the endpoint listens. For a unix socket, `host` is the `unix://` URL, `port` is 0, and `socketPath` is set. */
export interface ListenAddress {
  host: string;
  port: number;
  socketPath?: string;
}

const UNIX_PREFIX = 'unix://';

/** Go's GOARCH for Node's process.arch, as Beats reports `binary_arch`. */
function goArch(arch: string): string {
  switch (arch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    case 'ppc64':
      return 'ppc64le';
    default:
      return arch;
  }
}

function currentUser(): { uid: string; gid: string; username: string } {
  const uid = typeof process.getuid === 'function' ? String(process.getuid()) : '';
  const gid = typeof process.getgid === 'function' ? String(process.getgid()) : '';
  let username = '';
  try {
    username = userInfo().username;
  } catch {
    // No passwd entry for this uid (containers).
  }
  return { uid, gid, username };
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The monitoring HTTP endpoint (`http.enabled`): `/` beat info, `/stats` the
 * metrics registry, `/state` the beat's state; `?pretty` indents the JSON.
 */
export class MonitoringHttpServer {
  private readonly host: string;
  private readonly port: number;
  private readonly socketPath: string | undefined;
  private readonly options: MonitoringHttpServerOptions;
  private readonly rootDoc: Record<string, unknown>;
  private server: Server | undefined;
  private listening: ListenAddress | undefined;

  constructor(options: MonitoringHttpServerOptions) {
    this.options = options;
    this.host = options.host ?? DEFAULT_HTTP_ENDPOINT.host;
    this.port = options.port ?? DEFAULT_HTTP_ENDPOINT.port;
    this.socketPath = this.host.startsWith(UNIX_PREFIX) ? this.host.slice(UNIX_PREFIX.length) : undefined;
    if (this.socketPath === '') throw new Error(`http.host: no socket path in ${this.host}`);
    const { info } = options;
    const user = currentUser();
    this.rootDoc = {
      beat: info.beat,
      binary_arch: goArch(process.arch),
      build_commit: options.build?.commit ?? 'unknown',
      build_time: options.build?.time ?? new Date(0).toISOString(),
      elastic_licensed: false,
      ephemeral_id: info.ephemeralId,
      gid: user.gid,
      hostname: info.hostname,
      name: info.name,
      uid: user.uid,
      username: user.username,
      uuid: info.id,
      version: info.version,
    };
  }

  /** Where the endpoint listens, once started. */
  get address(): ListenAddress | undefined {
    return this.listening;
  }

  /** Configured host and port (or socket), for messages. */
  private get configured(): string {
    return this.socketPath !== undefined ? this.host : `${hostForUrl(this.host)}:${this.port}`;
  }

  /** Listens; rejects with an error naming host:port when it cannot (e.g. the port is in use). */
  start(): Promise<ListenAddress> {
    if (this.listening !== undefined) return Promise.resolve(this.listening);
    if (this.server !== undefined) return Promise.reject(new Error('monitoring endpoint is already starting'));
    this.options.logger?.info('Starting stats endpoint');
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    return new Promise<ListenAddress>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server = undefined;
        server.close();
        const reason = err.code === 'EADDRINUSE' ? 'address already in use' : errorMessage(err);
        reject(new Error(`monitoring endpoint: cannot listen on ${this.configured}: ${reason}`, { cause: err }));
      };
      server.once('error', onError);
      server.once('listening', () => {
        server.off('error', onError);
        server.on('error', (err) => this.options.logger?.error('monitoring endpoint error', { error: err }));
        const addr = server.address();
        let out: ListenAddress;
        if (this.socketPath !== undefined) {
          out = { host: this.host, port: 0, socketPath: this.socketPath };
        } else if (addr !== null && typeof addr === 'object') {
          out = { host: addr.address, port: addr.port };
        } else {
          out = { host: this.host, port: this.port };
        }
        this.listening = out;
        this.options.logger?.info(
          `Metrics endpoint listening on: ${out.socketPath !== undefined ? out.host : `${hostForUrl(out.host)}:${out.port}`} (configured: ${this.configured})`,
        );
        resolve(out);
      });
      try {
        if (this.socketPath !== undefined) {
          this.removeStaleSocket(this.socketPath);
          server.listen(this.socketPath);
        } else {
          server.listen(this.port, this.host);
        }
      } catch (err) {
        onError(err as NodeJS.ErrnoException);
      }
    });
  }

  /** Stops listening and closes open connections. */
  stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return Promise.resolve();
    this.server = undefined;
    this.listening = undefined;
    return new Promise<void>((resolve) => {
      server.close(() => {
        if (this.socketPath !== undefined) this.removeStaleSocket(this.socketPath);
        resolve();
      });
      server.closeAllConnections();
    });
  }

  /** A socket file left by a previous run would make listen fail with EADDRINUSE. */
  private removeStaleSocket(path: string): void {
    try {
      if (lstatSync(path).isSocket()) unlinkSync(path);
    } catch {
      // Not there, or not ours to remove: listen reports it.
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      this.send(req, res, 400, { error: 'bad request' }, false);
      return;
    }
    const pretty = url.searchParams.has('pretty');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      this.send(req, res, 405, { error: 'method not allowed', method: req.method ?? '' }, pretty);
      return;
    }
    let body: unknown;
    try {
      switch (url.pathname) {
        case '/':
          body = this.rootDoc;
          break;
        case '/stats':
          body = this.options.registry.snapshot();
          break;
        case '/state':
          body = this.options.stateProvider !== undefined ? this.options.stateProvider() : this.defaultState();
          break;
        default:
          this.send(req, res, 404, { error: 'not found', path: url.pathname }, pretty);
          return;
      }
    } catch (err) {
      this.send(req, res, 500, { error: errorMessage(err) }, pretty);
      return;
    }
    this.send(req, res, 200, body, pretty);
  }

  private defaultState(): object {
    const { info } = this.options;
    return {
      beat: { name: info.name },
      host: { hostname: info.hostname },
      service: { id: info.id, name: info.beat, version: info.version },
    };
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, pretty: boolean): void {
    let text: string;
    try {
      text =
        (pretty ? JSON.stringify(body, jsonReplacer, 2) : JSON.stringify(body, jsonReplacer)) ?? 'null';
    } catch (err) {
      status = 500;
      text = JSON.stringify({ error: `cannot encode response: ${errorMessage(err)}` });
    }
    if (pretty) text += '\n';
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(req.method === 'HEAD' ? undefined : text);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
