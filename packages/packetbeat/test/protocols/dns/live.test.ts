import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { msg, tcpFrame } from './harness.js';
import { liveCaptureUnavailable, readNdjson, skipUnlessLive, waitForDocuments } from '../../support/live.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/test/protocols/dns → the package root. */
const packageRoot = path.resolve(here, '../../../..');
const packetbeatBin = path.join(packageRoot, 'bin/packetbeat');
const pluginModule = path.join(packageRoot, 'dist/src/protocols/dns/plugin.js');
const DNSMASQ = '/usr/sbin/dnsmasq';

async function unavailable(): Promise<string | undefined> {
  return liveCaptureUnavailable(() => (fs.existsSync(DNSMASQ) ? undefined : `${DNSMASQ} is not installed`));
}

/** A port free for both UDP and TCP on 127.0.0.1 a moment ago. */
async function freeUdpTcpPort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const ok = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

function waitFor(child: ChildProcess, text: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}"; stderr: ${seen}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before "${text}": ${seen}`)));
  });
}

/** A top-level string field of a document. */
function top(d: object, key: string): string {
  const v = (d as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : JSON.stringify(v);
}


/** One DNS query over TCP with a hand-built, length-prefixed message; resolves with the raw response. */
function tcpQuery(port: number, message: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(tcpFrame(message)));
    let got = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', reject);
    setTimeout(() => reject(new Error('tcp query timed out')), 5000).unref();
  });
}

describe('dns plugin: live capture on lo with dnsmasq', function () {
  this.timeout(60_000);
  let dir: string;
  let port: number;
  let dnsmasq: ChildProcess | undefined;

  beforeEach(async function () {
    skipUnlessLive(this, await unavailable());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-dns-live-'));
    port = await freeUdpTcpPort();
    dnsmasq = spawn(
      DNSMASQ,
      [
        '--no-daemon', '--conf-file=/dev/null', '--pid-file=', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
        '--no-resolv', '--no-hosts', '--address=/a.example.test/10.1.2.3', '--mx-host=example.test,mail.example.test,10',
        '--txt-record=example.test,hello', '--log-facility=-',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // Ready once it answers (before capture starts, so these probes are not seen).
    const probe = new Resolver({ timeout: 500, tries: 1 });
    probe.setServers([`127.0.0.1:${port}`]);
    for (let i = 0; ; i++) {
      try {
        await probe.resolve4('a.example.test');
        break;
      } catch (err) {
        if (i > 40) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  afterEach(function () {
    if (dnsmasq?.pid !== undefined && dnsmasq.exitCode === null) process.kill(dnsmasq.pid, 'SIGTERM');
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sees exactly the UDP and TCP queries it makes, with their answers', async function () {
    const config = [
      'packetbeat.interfaces.device: lo',
      'packetbeat.flows.enabled: false',
      'packetbeat.shutdown_timeout: 5s',
      'packetbeat.protocols:',
      '  - type: dns',
      `    package: '${pluginModule}'`,
      `    ports: [${port}]`,
      '    include_authorities: true',
      'queue.mem.flush.timeout: 50ms',
      'output.file.path: ${path.home}/out',
      'logging.to_files: false',
      'logging.metrics.enabled: false',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'packetbeat.yml'), config, { mode: 0o600 });
    const beat = spawn(process.execPath, [packetbeatBin, '--path.home', dir, '-e'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    beat.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => beat.once('exit', (code) => resolve(code)));
    try {
      await waitFor(beat, 'capturing on lo');
      const r = new Resolver({ timeout: 2000, tries: 1 });
      r.setServers([`127.0.0.1:${port}`]);
      expect(await r.resolve4('a.example.test')).to.deep.equal(['10.1.2.3']);
      expect(await r.resolveMx('example.test')).to.deep.equal([{ exchange: 'mail.example.test', priority: 10 }]);
      expect(await r.resolveTxt('example.test')).to.deep.equal([['hello']]);
      const refused = await r.resolve4('elsewhere.invalid').then(() => 'answered', (err: NodeJS.ErrnoException) => err.code);
      expect(refused).to.be.a('string');
      const answer = await tcpQuery(port, msg({ id: 0x4242, questions: [{ name: 'a.example.test', type: 1 }] }));
      expect(answer.readUInt16BE(2)).to.equal(0x4242);
      await waitForDocuments(path.join(dir, 'out'), 5);
    } finally {
      if (beat.pid !== undefined && beat.exitCode === null) process.kill(beat.pid, 'SIGTERM');
    }
    const code = await exited;
    expect(code, stderr).to.equal(0);

    const docs = readNdjson<Record<string, Record<string, unknown>>>(path.join(dir, 'out'));
    const summary = docs.map((d) => `${String(d['network']?.['transport'])} ${top(d, 'query')} ${top(d, 'status')}`).sort();
    expect(summary, stderr).to.deep.equal(
      [
        'tcp class IN, type A, a.example.test OK',
        'udp class IN, type A, a.example.test OK',
        'udp class IN, type A, elsewhere.invalid Error',
        'udp class IN, type MX, example.test OK',
        'udp class IN, type TXT, example.test OK',
      ].sort(),
    );
    for (const d of docs) {
      expect(d['type']).to.equal('dns');
      expect(d['server']).to.include({ ip: '127.0.0.1', port });
      expect(d['event']?.['duration']).to.be.a('number');
      expect(d['dns']?.['type']).to.equal('answer');
    }
    const byQuery = (q: string, t = 'udp'): Record<string, Record<string, unknown>> => docs.find((d) => top(d, 'query') === q && d['network']?.['transport'] === t)!;
    const a = byQuery('class IN, type A, a.example.test');
    expect(a['dns']?.['resolved_ip']).to.deep.equal(['10.1.2.3']);
    expect(a['related']?.['ip']).to.include('10.1.2.3');
    expect(a['dns']?.['question']).to.include({ name: 'a.example.test', registered_domain: 'example.test', top_level_domain: 'test', subdomain: 'a' });
    const mx = byQuery('class IN, type MX, example.test');
    expect(mx['dns']?.['answers']).to.deep.include({ name: 'example.test', type: 'MX', class: 'IN', ttl: String((mx['dns']?.['answers'] as Array<Record<string, unknown>>)[0]?.['ttl']), preference: 10, data: 'mail.example.test' });
    const txt = byQuery('class IN, type TXT, example.test');
    expect((txt['dns']?.['answers'] as Array<Record<string, unknown>>)[0]?.['data']).to.equal('hello');
    const tcp = byQuery('class IN, type A, a.example.test', 'tcp');
    expect(tcp['dns']?.['id']).to.equal(0x4242);
    expect(tcp['client']?.['bytes']).to.equal(tcpFrame(msg({ id: 0x4242, questions: [{ name: 'a.example.test', type: 1 }] })).length);
    expect(byQuery('class IN, type A, elsewhere.invalid')['dns']?.['response_code']).to.not.equal('NOERROR');
  });
});
