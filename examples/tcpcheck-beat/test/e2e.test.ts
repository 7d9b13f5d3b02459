import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCli, type CliIO } from '@packetbeat-ts/libbeat';
import { tcpcheckDefinition } from '../src/main.js';
import { closedPort, listen } from './helpers.js';

/** Writes the config file with mode 0600 (strict.perms refuses group/other-writable files). */
function writeConfig(dir: string, settings: Record<string, unknown>): string {
  const file = path.join(dir, 'tcpcheck.yml');
  // JSON is YAML: no YAML library needed.
  fs.writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

function captureIO(): { io: CliIO; out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]): Writable =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        into.push(chunk.toString());
        cb();
      },
    });
  return { io: { stdout: sink(out), stderr: sink(err) }, out: () => out.join(''), err: () => err.join('') };
}

/** The NDJSON file(s) the file output created (their names carry a date suffix). */
function readEvents(dir: string, base: string): Record<string, unknown>[] {
  const files = fs.readdirSync(dir).filter((f) => f.startsWith(base) && f.endsWith('.ndjson'));
  expect(files, `output files in ${dir}: ${fs.readdirSync(dir).join(', ')}`).to.not.be.empty;
  return files
    .sort()
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function get(doc: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);
}

describe('tcpcheck: end to end through runCli', function () {
  this.timeout(20_000);
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpcheck-e2e-'));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('checks an open and a closed port twice and writes 4 events to output.file', async () => {
    const srv = await listen();
    const closed = await closedPort();
    const up = `127.0.0.1:${srv.port}`;
    const down = `127.0.0.1:${closed}`;
    const outDir = path.join(tmp, 'out');
    try {
      const file = writeConfig(tmp, {
        'tcpcheck.hosts': [up, down],
        'tcpcheck.max_checks': 2,
        'tcpcheck.schedule': '100ms',
        'output.file.path': outDir,
        'output.file.filename': 'out',
        'queue.mem.flush.min_events': 1,
        'logging.to_files': false,
      });
      const { io, err } = captureIO();
      const code = await runCli(tcpcheckDefinition, ['-c', file, '--path.home', tmp], io);
      expect(code, err()).to.equal(0);

      const events = readEvents(outDir, 'out');
      expect(events).to.have.length(4);
      for (const e of events) {
        expect(get(e, 'agent.type')).to.equal('tcpcheck');
        expect(get(e, 'event.dataset')).to.equal('tcpcheck');
        expect(get(e, 'monitor.type')).to.equal('tcp');
        expect(get(e, 'monitor.duration.us')).to.be.a('number');
        expect(get(e, '@timestamp')).to.be.a('string');
        expect(get(e, 'url.domain')).to.equal('127.0.0.1');
      }
      const byHost = (hostPort: string): Record<string, unknown>[] => events.filter((e) => get(e, 'url.full') === `tcp://${hostPort}`);
      const ups = byHost(up);
      const downs = byHost(down);
      expect(ups).to.have.length(2);
      expect(downs).to.have.length(2);
      for (const e of ups) {
        expect(get(e, 'monitor.status')).to.equal('up');
        expect(get(e, 'monitor.id')).to.equal(`auto-tcp-${up}`);
        expect(get(e, 'url.port')).to.equal(srv.port);
        expect(get(e, 'error')).to.equal(undefined);
      }
      for (const e of downs) {
        expect(get(e, 'monitor.status')).to.equal('down');
        expect(get(e, 'url.port')).to.equal(closed);
        expect(get(e, 'error.message')).to.be.a('string').and.match(/ECONNREFUSED/);
      }
      expect(srv.accepted()).to.be.at.least(1); // a connection reset before accept() may never reach the callback
    } finally {
      await srv.close();
    }
  });

  it('a config without tcpcheck.hosts makes run exit 1 and test config exit 1 naming the key', async () => {
    const file = writeConfig(tmp, {
      'output.file.path': path.join(tmp, 'out'),
      'output.file.filename': 'out',
      'logging.to_files': false,
    });
    const run = captureIO();
    expect(await runCli(tcpcheckDefinition, ['-c', file, '--path.home', tmp], run.io)).to.equal(1);

    const test = captureIO();
    expect(await runCli(tcpcheckDefinition, ['test', 'config', '-c', file, '--path.home', tmp], test.io)).to.equal(1);
    expect(test.err()).to.include('tcpcheck.hosts');
    expect(test.out()).to.not.include('Config OK');
  });

  it('test config reports an invalid host:port naming the file and key, and accepts a valid config', async () => {
    const bad = writeConfig(tmp, { 'tcpcheck.hosts': ['localhost'], 'output.file.path': path.join(tmp, 'out') });
    const t1 = captureIO();
    expect(await runCli(tcpcheckDefinition, ['test', 'config', '-c', bad, '--path.home', tmp], t1.io)).to.equal(1);
    expect(t1.err()).to.include('tcpcheck.hosts').and.include(bad).and.include('no port');

    const good = writeConfig(tmp, { 'tcpcheck.hosts': ['localhost:9200'], 'output.file.path': path.join(tmp, 'out') });
    const t2 = captureIO();
    expect(await runCli(tcpcheckDefinition, ['test', 'config', '-c', good, '--path.home', tmp], t2.io), t2.err()).to.equal(0);
    expect(t2.out()).to.include('Config OK');
  });

  it('rejects a non-positive schedule', async () => {
    const file = writeConfig(tmp, { 'tcpcheck.hosts': ['localhost:9200'], 'tcpcheck.schedule': '0s', 'output.file.path': path.join(tmp, 'out') });
    const t = captureIO();
    expect(await runCli(tcpcheckDefinition, ['test', 'config', '-c', file, '--path.home', tmp], t.io)).to.equal(1);
    expect(t.err()).to.include('tcpcheck.schedule');
  });
});
