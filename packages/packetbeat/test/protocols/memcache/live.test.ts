import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bin, u32, u64 } from './harness.js';
import { liveCaptureUnavailable, skipUnlessLive, waitForDocuments } from '../../support/live.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pluginPath = path.resolve(here, '../../../src/protocols/memcache/plugin.js');
const MEMCACHED = '/usr/bin/memcached';

/** packages/packetbeat, found from the compiled test's location. */
function packageDir(): string {
  let dir = here;
  while (!fs.existsSync(path.join(dir, 'bin/packetbeat'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`bin/packetbeat not found above ${here}`);
    dir = up;
  }
  return dir;
}

async function unavailable(): Promise<string | undefined> {
  return liveCaptureUnavailable(() => (fs.existsSync(MEMCACHED) ? undefined : `${MEMCACHED} is not installed`));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<number | null>;
}

function startProc(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout?.resume();
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => err, done };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP client that sends one request at a time and waits until the reply satisfies `complete`. */
class Client {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
  }

  static async connect(port: number): Promise<Client> {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    return new Client(sock);
  }

  async request(data: string | Uint8Array, complete: (b: Buffer) => boolean): Promise<Buffer> {
    this.buf = Buffer.alloc(0);
    this.sock.write(data);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no complete reply to ${String(data).slice(0, 40)}`)), 5000);
      this.waiter = () => {
        if (complete(this.buf)) {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        }
      };
      this.waiter();
    });
    return this.buf;
  }

  /** Text request whose reply ends with one of `ends`. */
  text(line: string, ...ends: string[]): Promise<Buffer> {
    return this.request(line, (b) => ends.some((e) => b.toString('latin1').endsWith(e)));
  }

  /** Binary request; waits for `n` binary responses. */
  binary(data: Uint8Array, n = 1): Promise<Buffer> {
    return this.request(data, (b) => {
      let o = 0;
      let count = 0;
      while (o + 24 <= b.length) {
        o += 24 + b.readUInt32BE(o + 8);
        if (o <= b.length) count++;
      }
      return count >= n;
    });
  }

  end(): void {
    this.sock.end();
  }
}

type Doc = Record<string, Record<string, unknown>>;
const mc = (d: Doc): { request: Record<string, unknown>; response?: Record<string, unknown> } => ({ request: {}, ...(d['memcache'] as object) });

describe('live capture on lo (memcache, text + binary over TCP, text over UDP)', function () {
  this.timeout(60_000);
  let dir: string;
  let memcached: Proc | undefined;
  let tcpPort: number;
  let udpPort: number;

  beforeEach(async function () {
    skipUnlessLive(this, await unavailable());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-memcache-'));
    tcpPort = await freePort();
    udpPort = await freePort();
    memcached = startProc(MEMCACHED, ['-p', String(tcpPort), '-U', String(udpPort), '-l', '127.0.0.1', '-u', 'nobody']);
    // Wait until memcached accepts connections.
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect(tcpPort, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true))).once('error', () => resolve(false));
      });
      if (ok) break;
      if (memcached.child.exitCode !== null) throw new Error(`memcached exited: ${memcached.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  afterEach(async () => {
    if (memcached !== undefined && memcached.child.pid !== undefined && memcached.child.exitCode === null) {
      process.kill(memcached.child.pid, 'SIGTERM');
      await memcached.done;
    }
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sees exactly the transactions made, with the right fields', async () => {
    const config = path.join(dir, 'packetbeat.yml');
    fs.writeFileSync(
      config,
      [
        'packetbeat.interfaces.device: lo',
        'packetbeat.flows.enabled: false',
        'packetbeat.shutdown_timeout: 5s',
        'packetbeat.protocols:',
        '  - type: memcache',
        `    package: '${pluginPath}'`,
        `    ports: [${tcpPort}, ${udpPort}]`,
        '    udptransactiontimeout: 500ms',
        '    maxvalues: -1',
        'queue.mem.flush.timeout: 50ms',
        'output.file.path: ${path.home}/out',
        'logging.to_files: false',
        'logging.metrics.enabled: false',
      ].join('\n'),
    );
    fs.chmodSync(config, 0o600);
    const beat = startProc(process.execPath, [path.join(packageDir(), 'bin/packetbeat'), '--path.home', dir, '-c', config, '-e']);
    try {
      await waitFor(() => beat.stderr().includes('capturing on lo') || beat.child.exitCode !== null, '"capturing on lo"');
      if (beat.child.exitCode !== null) throw new Error(`packetbeat exited: ${beat.stderr()}`);

      // Text protocol over TCP.
      const t = await Client.connect(tcpPort);
      await t.text('set tk 5 0 5\r\nhello\r\n', 'STORED\r\n');
      await t.text('get tk nothere\r\n', 'END\r\n');
      const gets = await t.text('gets tk\r\n', 'END\r\n');
      const cas = /VALUE tk 5 5 (\d+)/.exec(gets.toString('latin1'))?.[1] ?? '0';
      await t.text(`cas tk 0 0 3 ${cas}\r\nbye\r\n`, 'STORED\r\n', 'EXISTS\r\n');
      await t.text('set n 0 0 2\r\n10\r\n', 'STORED\r\n');
      await t.text('incr n 5\r\n', '\r\n');
      await t.text('decr n 3\r\n', '\r\n');
      await t.text('delete tk\r\n', 'DELETED\r\n');
      await t.text('stats\r\n', 'END\r\n');
      t.end();

      // Binary protocol over TCP (a quiet SetQ answered only through the No-op).
      const b = await Client.connect(tcpPort);
      await b.binary(bin({ opcode: 0x01, key: 'bk', extras: [...u32(0), ...u32(0)], value: 'binval', opaque: 11 }));
      await b.binary(bin({ opcode: 0x0c, key: 'bk', opaque: 12 }));
      await b.binary(bin({ opcode: 0x05, key: 'bc', extras: [...u64(2), ...u64(40), ...u32(0)], opaque: 13 }));
      await b.binary(Buffer.concat([bin({ opcode: 0x11, key: 'bq', extras: [...u32(0), ...u32(0)], value: 'q', opaque: 14 }), bin({ opcode: 0x0a, opaque: 15 })]));
      b.end();

      // Text protocol over UDP (8-byte frame header).
      const sock = dgram.createSocket('udp4');
      const udpReply = new Promise<Buffer>((resolve) => sock.once('message', resolve));
      const frame = (id: number, body: string): Buffer => Buffer.concat([Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0]), Buffer.from(body, 'latin1')]);
      await new Promise<void>((resolve) => sock.send(frame(7, 'get tk n\r\n'), udpPort, '127.0.0.1', () => resolve()));
      await udpReply;
      await new Promise<void>((resolve) => sock.send(frame(8, 'set u 0 0 1 noreply\r\nu\r\n'), udpPort, '127.0.0.1', () => resolve()));
      sock.close();
      await waitForDocuments(path.join(dir, 'out'), 16);
    } finally {
      if (beat.child.pid !== undefined && beat.child.exitCode === null) process.kill(beat.child.pid, 'SIGTERM');
    }
    const code = await beat.done;
    expect(code, beat.stderr()).to.equal(0);

    const outDir = path.join(dir, 'out');
    const docs = (fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f.endsWith('.ndjson')) : [])
      .flatMap((f) => fs.readFileSync(path.join(outDir, f), 'utf8').split('\n').filter((l) => l !== ''))
      .map((l) => JSON.parse(l) as Doc);
    const summary = docs.map((d) => `${String(d['network']?.['transport'])} ${String(mc(d).request['command'])} ${(d as Record<string, unknown>)['status'] as string}`);
    expect(summary.sort(), `${beat.stderr()}\n${JSON.stringify(docs.map((d) => [d['memcache'], d['error']]))}`).to.deep.equal(
      [
        'tcp set OK', 'tcp get OK', 'tcp gets OK', 'tcp cas OK', 'tcp set OK', 'tcp incr OK', 'tcp decr OK', 'tcp delete OK', 'tcp stats OK',
        'tcp set OK', 'tcp get OK', 'tcp incr OK', 'tcp set OK', 'tcp noop OK',
        'udp get OK', 'udp set OK',
      ].sort(),
    );
    for (const d of docs) {
      expect(d['type']).to.equal('memcache');
      expect(d['client']?.['ip']).to.equal('127.0.0.1');
      expect(d['server']?.['port']).to.be.oneOf([tcpPort, udpPort]);
      expect(d['network']).to.include({ protocol: 'memcache', type: 'ipv4' });
    }
    const find = (transport: string, command: string, pred: (d: Doc) => boolean = () => true): Doc => {
      const d = docs.find((x) => x['network']?.['transport'] === transport && mc(x).request['command'] === command && pred(x));
      if (d === undefined) throw new Error(`no ${transport} ${command}`);
      return d;
    };
    const textGet = find('tcp', 'get', (d) => d['memcache']?.['protocol_type'] === 'text');
    expect(mc(textGet).request['keys']).to.deep.equal(['tk', 'nothere']);
    expect(mc(textGet).response).to.include({ command: 'VALUE', count_values: 1, bytes: 5 });
    expect(mc(textGet).response?.['values']).to.deep.equal([Buffer.from('hello').toString('base64')]);
    expect(mc(find('tcp', 'gets')).response?.['cas_unique']).to.be.greaterThan(0);
    expect(mc(find('tcp', 'incr', (d) => d['memcache']?.['protocol_type'] === 'text')).response).to.include({ value: 15 });
    expect(mc(find('tcp', 'decr')).response).to.include({ value: 12 });
    expect((mc(find('tcp', 'stats')).response?.['stats'] as unknown[]).length).to.be.greaterThan(10);
    const binIncr = find('tcp', 'incr', (d) => d['memcache']?.['protocol_type'] === 'binary');
    expect(mc(binIncr).request).to.include({ opcode: 'Increment', delta: 2, initial: 40 });
    expect(mc(binIncr).response).to.include({ value: 40, status: 'Success' });
    const setq = find('tcp', 'set', (d) => mc(d).request['opcode'] === 'SetQ');
    expect(mc(setq).request['quiet']).to.equal(true);
    expect(mc(setq).response).to.equal(undefined);
    expect(mc(find('tcp', 'get', (d) => d['memcache']?.['protocol_type'] === 'binary')).response).to.include({ opcode: 'GetK', count_values: 1, bytes: 6 });
    const udpGet = find('udp', 'get');
    expect(mc(udpGet).request['keys']).to.deep.equal(['tk', 'n']);
    expect(mc(udpGet).response).to.include({ command: 'VALUE', count_values: 1 });
    expect(mc(udpGet).response?.['keys']).to.deep.equal(['n']);
    expect(mc(find('udp', 'set')).request).to.include({ noreply: true });
  });
});
