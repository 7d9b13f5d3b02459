import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveCaptureUnavailable, readNdjson, skipUnlessLive, waitForDocuments } from '../../support/live.js';

/** The monorepo root: the nearest directory above this file with a package-lock.json. */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package-lock.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
const repoRoot = findRepoRoot();
const packetbeatBin = path.join(repoRoot, 'packages/packetbeat/bin/packetbeat');
/** The compiled plugin, loaded by path as a third-party protocol would be. */
const pluginModule = path.join(repoRoot, 'packages/packetbeat/dist/src/protocols/redis/plugin.js');
const REDIS_PORT = 6379;

async function unavailable(): Promise<string | undefined> {
  return liveCaptureUnavailable(async () => {
    if (!fs.existsSync(pluginModule)) return `${pluginModule} is not built`;
    const reachable = await new Promise<boolean>((resolve) => {
      const s = net.connect(REDIS_PORT, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    return reachable ? undefined : `no Redis server on 127.0.0.1:${REDIS_PORT}`;
  });
}

/** Length of the first complete RESP2 reply in `b` from `at`, or -1 (an independent little reader for the client). */
function replyEnd(b: Buffer, at: number): number {
  const eol = b.indexOf('\r\n', at);
  if (eol < 0) return -1;
  const type = String.fromCharCode(b[at] ?? 0);
  const head = b.toString('latin1', at + 1, eol);
  if (type === '$') {
    const n = Number(head);
    if (n < 0) return eol + 2;
    return b.length >= eol + 2 + n + 2 ? eol + 2 + n + 2 : -1;
  }
  if (type === '*') {
    let pos = eol + 2;
    for (let i = 0; i < Number(head); i++) {
      pos = replyEnd(b, pos);
      if (pos < 0) return -1;
    }
    return pos;
  }
  return eol + 2;
}

/** A minimal Redis client on node:net: write raw commands, read whole replies. */
class Client {
  private data = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect(REDIS_PORT, '127.0.0.1', () => resolve(new Client(s)));
      s.on('error', reject);
    });
  }

  get port(): number {
    return this.socket.localPort ?? 0;
  }

  /** Writes `raw` in one write and waits for `replies` replies; returns them as raw text. */
  async send(raw: string, replies = 1): Promise<string[]> {
    this.socket.write(raw);
    const out: string[] = [];
    const deadline = Date.now() + 5000;
    while (out.length < replies) {
      const end = this.data.length > 0 ? replyEnd(this.data, 0) : -1;
      if (end > 0) {
        out.push(this.data.toString('utf8', 0, end));
        this.data = this.data.subarray(end);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`no reply to ${JSON.stringify(raw)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.end(resolve));
  }
}

function cmd(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}


describe('redis plugin: live capture on lo against the shared Redis', function () {
  this.timeout(60_000);
  let dir: string;

  before(async function () {
    skipUnlessLive(this, await unavailable());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-redis-live-'));
  });

  after(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes exactly the transactions its clients sent', async () => {
    const config = path.join(dir, 'packetbeat.yml');
    fs.writeFileSync(
      config,
      [
        'packetbeat.interfaces.device: lo',
        'packetbeat.flows.enabled: false',
        'packetbeat.shutdown_timeout: 5s',
        'packetbeat.protocols:',
        '  - type: redis',
        `    package: '${pluginModule}'`,
        `    ports: [${REDIS_PORT}]`,
        'queue.mem.flush.timeout: 50ms',
        'output.file.path: ${path.home}/out',
        'logging.to_files: false',
        'logging.metrics.enabled: false',
      ].join('\n'),
    );
    fs.chmodSync(config, 0o600);
    const child = spawn(process.execPath, [packetbeatBin, '--path.home', dir, '-c', config, '-e'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    const prefix = `pbts-redis-live:${process.pid}:${Date.now()}:`;
    const key = (k: string): string => prefix + k;
    const channel = key('chan');
    let ports: number[] = [];
    const replies: string[] = [];
    try {
      const deadline = Date.now() + 20_000;
      while (!stderr.includes('capturing on lo')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`packetbeat did not start capturing:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const c1 = await Client.connect();
      const c2 = await Client.connect();
      ports = [c1.port, c2.port];
      try {
        replies.push(...(await c1.send(cmd('SET', key('k'), 'v'))));
        replies.push(...(await c1.send(`GET ${key('k')}\r\n`))); // inline
        // A pipeline of four commands in one write, the last an error (INCR on a non-integer string).
        replies.push(...(await c1.send(cmd('SET', key('n'), '10') + cmd('INCR', key('n')) + cmd('GET', key('n')) + cmd('INCR', key('k')), 4)));
        replies.push(...(await c1.send(cmd('MULTI'))));
        replies.push(...(await c1.send(cmd('SET', key('m'), '1'))));
        replies.push(...(await c1.send(cmd('INCR', key('m')))));
        replies.push(...(await c1.send(cmd('EXEC'))));
        replies.push(...(await c2.send(cmd('SUBSCRIBE', channel))));
        replies.push(...(await c1.send(cmd('PUBLISH', channel, 'hello'))));
        // The subscriber gets the message pushed: no request asked for it.
        const pushed = await c2.send('', 1);
        expect(pushed[0]).to.include('message');
        replies.push(...(await c2.send(cmd('UNSUBSCRIBE', channel))));
        replies.push(...(await c1.send(cmd('DEL', key('k'), key('n'), key('m')))));
      } finally {
        await c1.close();
        await c2.close();
      }
      const ours = (d: Record<string, unknown>): boolean => ports.includes(((d['client'] ?? {}) as Record<string, unknown>)['port'] as number);
      await waitForDocuments(path.join(dir, 'out'), 14, ours);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await done;
    expect(code, stderr).to.equal(0);
    expect(replies[5]).to.match(/^-ERR/);

    const docs = readNdjson(path.join(dir, 'out')).filter((d) => ports.includes(((d['client'] ?? {}) as Record<string, unknown>)['port'] as number));
    const seen = docs
      .map((d) => {
        const redis = (d['redis'] ?? {}) as Record<string, unknown>;
        const client = (d['client'] ?? {}) as Record<string, unknown>;
        const who = client['port'] === ports[0] ? 'c1' : 'c2';
        const result = typeof redis['return_value'] === 'string' ? redis['return_value'] : `ERROR ${String(redis['error'])}`;
        return `${who} ${String(d['status'])} ${String(d['method'])} ${String(d['resource'])} | ${String(d['query'])} => ${result}`;
      })
      .map((s) => s.split(prefix).join('~'));
    expect(seen, stderr).to.deep.equal([
      'c1 OK SET ~k | SET ~k v => OK',
      'c1 OK GET ~k | GET ~k => v',
      'c1 OK SET ~n | SET ~n 10 => OK',
      'c1 OK INCR ~n | INCR ~n => 11',
      'c1 OK GET ~n | GET ~n => 11',
      'c1 Error INCR ~k | INCR ~k => ERROR ERR value is not an integer or out of range',
      'c1 OK MULTI  | MULTI => OK',
      'c1 OK SET ~m | SET ~m 1 => QUEUED',
      'c1 OK INCR ~m | INCR ~m => QUEUED',
      'c1 OK EXEC  | EXEC => [OK, 2]',
      'c2 OK SUBSCRIBE ~chan | SUBSCRIBE ~chan => [subscribe, ~chan, 1]',
      'c1 OK PUBLISH ~chan | PUBLISH ~chan hello => 1',
      'c2 OK UNSUBSCRIBE ~chan | UNSUBSCRIBE ~chan => [unsubscribe, ~chan, 0]',
      'c1 OK DEL ~k | DEL ~k ~n ~m => 3',
    ]);
    for (const d of docs) {
      expect(d['type']).to.equal('redis');
      expect(d['server']).to.include({ ip: '127.0.0.1', port: REDIS_PORT });
      expect(d['network']).to.include({ transport: 'tcp', protocol: 'redis', type: 'ipv4' });
      expect(((d['source'] ?? {}) as Record<string, unknown>)['bytes']).to.be.a('number').above(0);
      expect(((d['destination'] ?? {}) as Record<string, unknown>)['bytes']).to.be.a('number').above(0);
      expect(((d['event'] ?? {}) as Record<string, unknown>)['duration']).to.be.a('number');
    }
  });
});
