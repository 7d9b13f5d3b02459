import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayCapture } from '@packetbeat-ts/protocol-sdk/testing';
import plugin from '../src/index.js';

/** examples/protocol-linecount (this file runs from dist/test). */
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKETBEAT_BIN = path.resolve(PACKAGE_DIR, '..', '..', 'packages', 'packetbeat', 'bin', 'packetbeat');

/** What the client sends, and what the server must answer. */
interface Exchange {
  readonly line: string;
  readonly answer: string;
}

/** The server: `COUNT w1 w2…` → the number of words; anything else → `ERR <reason>`. */
function answer(line: string): string {
  const [command, ...words] = line.trim().split(/\s+/).filter((t) => t !== '');
  if (command?.toUpperCase() !== 'COUNT') return `ERR unknown command ${command ?? ''}`.trimEnd();
  if (words.length === 0) return 'ERR no words';
  return String(words.length);
}

// Connection A: one request at a time. Connection B: pipelined, errors included.
const SEQUENTIAL = ['COUNT one', 'COUNT the quick brown fox', 'COUNT a b c d e f g h i j', 'COUNT lorem ipsum', 'COUNT x y z'];
const PIPELINED = ['COUNT alpha beta', 'COUNT', 'HELLO world'];
const N = SEQUENTIAL.length + PIPELINED.length;

function startServer(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let eol = pending.indexOf('\n'); eol >= 0; eol = pending.indexOf('\n')) {
        const line = pending.slice(0, eol);
        pending = pending.slice(eol + 1);
        socket.write(`${answer(line)}\n`);
      }
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Opens a connection whose `next(n)` resolves with the next n answer lines. */
async function connect(port: number): Promise<{ socket: net.Socket; next: (n: number) => Promise<string[]> }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  let buffered = '';
  let waiter: (() => void) | undefined;
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    waiter?.();
  });
  const next = async (n: number): Promise<string[]> => {
    for (;;) {
      const lines = buffered.split('\n');
      if (lines.length > n) {
        buffered = lines.slice(n).join('\n');
        return lines.slice(0, n);
      }
      await new Promise<void>((resolve) => (waiter = resolve));
    }
  };
  return { socket, next };
}

async function close(socket: net.Socket): Promise<void> {
  socket.end();
  await once(socket, 'close');
}

/** Runs the exchanges: A sequentially, then B pipelined in one write. */
async function runClient(port: number): Promise<Exchange[]> {
  const done: Exchange[] = [];
  const a = await connect(port);
  for (const line of SEQUENTIAL) {
    a.socket.write(`${line}\n`);
    const [reply] = await a.next(1);
    done.push({ line, answer: reply ?? '' });
  }
  await close(a.socket);
  const b = await connect(port);
  b.socket.write(PIPELINED.map((l) => `${l}\n`).join(''));
  const replies = await b.next(PIPELINED.length);
  PIPELINED.forEach((line, i) => done.push({ line, answer: replies[i] ?? '' }));
  await close(b.socket);
  return done;
}

function haveTcpdump(): boolean {
  const r = spawnSync('tcpdump', ['--version'], { stdio: 'ignore' });
  return r.error === undefined;
}

/**
 * Starts tcpdump on lo and resolves once it is capturing. `--immediate-mode`
 * matters: without it packets wait in the kernel's ring for up to a second,
 * and those still there when SIGINT arrives are never written.
 */
async function startTcpdump(file: string, port: number): Promise<ChildProcess> {
  const child = spawn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-n', '-w', file, `tcp port ${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start within 10 s: ${stderr}`)), 10_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited with ${String(code)} before capturing: ${stderr}`));
    });
  });
  return child;
}

/**
 * How many TCP segments with FIN set the pcap `file` holds so far (tcpdump
 * with `-U` writes each packet as it gets it). Ethernet framing, as on `lo`.
 */
function finsCaptured(file: string): number {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return 0;
  }
  if (data.length < 24) return 0;
  const littleEndian = data.readUInt32LE(0) === 0xa1b2c3d4 || data.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (at: number): number => (littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at));
  let fins = 0;
  for (let at = 24; at + 16 <= data.length; ) {
    const length = u32(at + 8);
    const packet = data.subarray(at + 16, at + 16 + length);
    at += 16 + length;
    if (packet.length < length || packet.length < 14 + 20 || packet.readUInt16BE(12) !== 0x0800) continue;
    const tcp = 14 + ((packet[14] ?? 0) & 0x0f) * 4;
    if (packet[14 + 9] === 6 && tcp + 14 <= packet.length && ((packet[tcp + 13] ?? 0) & 0x01) !== 0) fins++;
  }
  return fins;
}

/**
 * Waits until the capture holds `fins` FIN segments (both sides of every
 * closed connection), or 15 s. A fixed pause is not enough on a loaded
 * machine: tcpdump stops at SIGINT without reading what is left in the
 * kernel's ring, and once that was a whole connection.
 */
async function waitForFins(file: string, fins: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (finsCaptured(file) < fins && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function stopTcpdump(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  await exited;
}

function expectLinecountDocument(doc: Record<string, unknown>, exchange: Exchange, port: number): void {
  const words = exchange.line.trim().split(/\s+/).slice(1);
  const linecount = doc['linecount'] as Record<string, unknown> | undefined;
  expect(doc['type']).to.equal('linecount');
  expect(doc['query']).to.equal(exchange.line);
  expect(doc['method']).to.equal(exchange.line.split(' ')[0]);
  expect((doc['server'] as Record<string, unknown>)['port']).to.equal(port);
  expect((doc['client'] as Record<string, unknown>)['ip']).to.equal('127.0.0.1');
  expect((doc['network'] as Record<string, unknown>)['transport']).to.equal('tcp');
  expect((linecount?.['request'] as Record<string, unknown>)['words']).to.deep.equal(words);
  if (exchange.answer.startsWith('ERR')) {
    expect(doc['status']).to.equal('Error');
    expect((linecount?.['response'] as Record<string, unknown>)['error']).to.equal(exchange.answer.slice(4));
  } else {
    expect(doc['status']).to.equal('OK');
    expect((linecount?.['response'] as Record<string, unknown>)['count']).to.equal(Number(exchange.answer));
    expect(Number(exchange.answer)).to.equal(words.length);
  }
  expect((doc['event'] as Record<string, unknown>)['duration']).to.be.a('number');
}

describe('packetbeat-protocol-linecount: live capture on lo', function () {
  this.timeout(60_000);
  let dir = '';
  let pcap = '';
  let port = 0;
  let exchanges: Exchange[] = [];

  before(async function () {
    const required = process.env['REQUIRE_LIVE'] === '1';
    const reason = process.getuid?.() !== 0 ? 'not running as root' : !haveTcpdump() ? 'tcpdump is not installed' : undefined;
    if (reason !== undefined) {
      if (required) throw new Error(`REQUIRE_LIVE=1 but the live capture test cannot run: ${reason}`);
      console.log(`    (skipped: ${reason}; the live capture needs root and tcpdump)`);
      this.skip();
    }
    dir = mkdtempSync(path.join(os.tmpdir(), 'linecount-'));
    pcap = path.join(dir, 'linecount.pcap');
    const server = await startServer();
    port = (server.address() as net.AddressInfo).port;
    // On a loaded machine tcpdump has lost a whole connection: record again (up to 3 times) until the capture is complete.
    try {
      for (let attempt = 1; ; attempt++) {
        let tcpdump: ChildProcess;
        try {
          tcpdump = await startTcpdump(pcap, port);
        } catch (err) {
          // Root without CAP_NET_RAW (some containers), or no `lo`.
          if (required) throw err;
          console.log(`    (skipped: tcpdump could not capture on lo: ${err instanceof Error ? err.message.trim() : String(err)})`);
          this.skip();
        }
        try {
          exchanges = await runClient(port);
          await waitForFins(pcap, 4); // two connections, each closed from both ends
        } finally {
          await stopTcpdump(tcpdump);
        }
        if (finsCaptured(pcap) >= 4) break;
        if (attempt === 3) throw new Error('tcpdump missed part of the traffic three times');
        console.log(`    (tcpdump missed part of the traffic; recording again, attempt ${attempt + 1})`);
      }
    } finally {
      server.close();
    }
    expect(exchanges).to.have.length(N);
  });

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('the server answered as the protocol says', () => {
    expect(exchanges.map((e) => e.answer)).to.deep.equal(['1', '4', '10', '2', '3', '2', 'ERR no words', 'ERR unknown command HELLO']);
  });

  it('replayCapture (the SDK testing export) gives one document per request', async () => {
    const docs = await replayCapture(plugin, pcap, { config: { ports: [port] } });
    expect(docs).to.have.length(N);
    docs.forEach((doc, i) => expectLinecountDocument(doc, exchanges[i] as Exchange, port));
    expect(docs[0]?.['request']).to.equal(undefined);
  });

  it('replayCapture honours send_request / send_response and rejects a bad plugin setting', async () => {
    const docs = await replayCapture(plugin, pcap, { config: { ports: [port], send_request: true, send_response: true } });
    expect(docs[1]?.['request']).to.equal('COUNT the quick brown fox\n');
    expect(docs[1]?.['response']).to.equal('4\n');
    let err: unknown;
    try {
      await replayCapture(plugin, pcap, { config: { ports: [port], max_line_length: 0 } });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(Error);
    expect((err as { code?: unknown }).code).to.equal('BEAT_ERR_CONFIG_INVALID');
    expect((err as Error).message).to.match(/packetbeat\.protocols\.0\.max_line_length/);
  });

  it('the packetbeat binary loads the plugin by path (no fork, no rebuild) and writes the N documents', async () => {
    const home = path.join(dir, 'home');
    const cfg = path.join(dir, 'packetbeat.yml');
    writeFileSync(
      cfg,
      [
        'packetbeat.protocols:',
        '  - type: linecount',
        `    package: '${PACKAGE_DIR}'`,
        `    ports: [${port}]`,
        'output.file:',
        "  path: '${path.home}/out'",
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    chmodSync(cfg, 0o600);
    const child = spawn(process.execPath, [PACKETBEAT_BIN, '-I', pcap, '-t', '-e', '--path.home', home, '-c', cfg], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, output).to.equal(0);
    const outDir = path.join(home, 'out');
    const files = readdirSync(outDir).filter((f) => f.endsWith('.ndjson'));
    expect(files, output).to.have.length(1);
    const all = readFileSync(path.join(outDir, files[0] as string), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Flows are on by default, as in Packetbeat: one final record per connection besides the transactions.
    const docs = all.filter((d) => d['type'] === 'linecount');
    expect(docs, output).to.have.length(N);
    expect(all.filter((d) => d['type'] !== 'linecount').map((d) => d['type'])).to.deep.equal(['flow', 'flow']);
    docs.forEach((doc, i) => expectLinecountDocument(doc, exchanges[i] as Exchange, port));
    expect((docs[0]?.['agent'] as Record<string, unknown> | undefined)?.['type']).to.equal('packetbeat');
  });
});
