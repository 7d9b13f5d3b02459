import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { liveCaptureUnavailable as sharedUnavailable, readNdjson, skipUnlessLive, waitForDocuments } from '../../support/live.js';

const run = promisify(execFile);

/** packages/packetbeat, from dist/test/protocols/icmp. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const packetbeatBin = path.join(packageRoot, 'bin/packetbeat');
const pluginModule = path.join(packageRoot, 'dist/src/protocols/icmp/plugin.js');

/** Payload sizes that mark this test's pings (source.bytes counts the bytes after the 8-byte header). */
const SIZE4 = 37;
const SIZE6 = 41;
const COUNT = 3;

async function liveCaptureUnavailable(): Promise<string | undefined> {
  return sharedUnavailable(async () => {
    try {
      await run('ping', ['-V']);
    } catch {
      return 'ping (iputils-ping) is not installed';
    }
    return !fs.existsSync(packetbeatBin) || !fs.existsSync(pluginModule) ? 'packetbeat is not built' : undefined;
  });
}

interface Beat {
  child: ChildProcess;
  stderr: string;
  done: Promise<number | null>;
}

function startBeat(home: string): Beat {
  const child = spawn(process.execPath, [packetbeatBin, '--path.home', home, '-e'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const beat: Beat = { child, stderr: '', done: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (beat.stderr += d));
  child.stdout?.resume();
  return beat;
}

async function waitForStderr(beat: Beat, text: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!beat.stderr.includes(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}" on stderr; got:\n${beat.stderr}`);
    if (beat.child.exitCode !== null) throw new Error(`packetbeat exited (${beat.child.exitCode}) before "${text}"; stderr:\n${beat.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}


describe('icmp plugin: live capture on lo (ping)', () => {
  let dir: string | undefined;

  beforeEach(async function () {
    skipUnlessLive(this, await liveCaptureUnavailable());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-icmp-live-'));
  });

  afterEach(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sees exactly the 3 + 3 echo exchanges of ping 127.0.0.1 and ping -6 ::1', async () => {
    const home = dir!;
    const config = [
      'packetbeat.interfaces.device: lo',
      'packetbeat.flows.enabled: false',
      'packetbeat.shutdown_timeout: 5s',
      'packetbeat.protocols:',
      '  - type: icmp',
      `    package: ${JSON.stringify(pluginModule)}`,
      'queue.mem.flush.timeout: 50ms',
      'output.file.path: ${path.home}/out',
      'logging.to_files: false',
      'logging.metrics.enabled: false',
    ].join('\n');
    const file = path.join(home, 'packetbeat.yml');
    fs.writeFileSync(file, config);
    fs.chmodSync(file, 0o600);

    const beat = startBeat(home);
    try {
      await waitForStderr(beat, 'capturing on lo');
      await run('ping', ['-c', String(COUNT), '-i', '0.2', '-W', '2', '-s', String(SIZE4), '127.0.0.1']);
      await run('ping', ['-6', '-c', String(COUNT), '-i', '0.2', '-W', '2', '-s', String(SIZE6), '::1']);
      const echoes = (d: Record<string, Record<string, unknown>>): boolean => d['icmp']?.['request'] !== undefined && (d['source']?.['bytes'] === SIZE4 || d['source']?.['bytes'] === SIZE6);
      await waitForDocuments(path.join(home, 'out'), 2 * COUNT, echoes);
    } finally {
      beat.child.kill('SIGTERM');
    }
    const code = await beat.done;
    expect(code, beat.stderr).to.equal(0);

    const docs = readNdjson<Record<string, Record<string, unknown>>>(path.join(home, 'out'));
    // Other traffic on lo (another test's closed UDP port…) may add ICMP documents: keep this test's echoes.
    const echo = (d: Record<string, Record<string, unknown>>, version: number, size: number): boolean =>
      d['icmp']?.['version'] === version && (d['icmp']['request'] as Record<string, unknown> | undefined)?.['type'] === (version === 4 ? 8 : 128) && d['source']?.['bytes'] === size;
    const v4 = docs.filter((d) => echo(d, 4, SIZE4));
    const v6 = docs.filter((d) => echo(d, 6, SIZE6));
    expect(v4, beat.stderr).to.have.length(COUNT);
    expect(v6, beat.stderr).to.have.length(COUNT);
    for (const [d, ip, transport, reply] of [...v4.map((d) => [d, '127.0.0.1', 'icmp', 0] as const), ...v6.map((d) => [d, '::1', 'ipv6-icmp', 129] as const)]) {
      expect(d['type']).to.equal('icmp');
      expect(d['status']).to.equal('OK');
      expect(d['client']).to.deep.equal({ ip, bytes: d['source']?.['bytes'] });
      expect(d['server']?.['ip']).to.equal(ip);
      expect(d['path']).to.equal(ip);
      expect(d['network']).to.include({ transport, protocol: 'icmp' });
      expect(d['network']?.['community_id']).to.be.a('string');
      expect(d['icmp']?.['response']).to.include({ type: reply, code: 0 });
      expect(d['destination']?.['bytes']).to.equal(d['source']?.['bytes']);
      expect(d['event']?.['duration']).to.be.a('number').and.be.at.least(0);
    }
  });
});
