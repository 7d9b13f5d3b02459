import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { packetbeatBin, run, start, tempDir, writeConfig } from './support/run-process.js';

const valid = 'output.file.path: ${path.home}/out\nlogging.to_files: false\n';

describe('packetbeat command line', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('pb-cli-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const pb = (args: string[], env: NodeJS.ProcessEnv = {}) => run(packetbeatBin, ['--path.home', dir, ...args], { cwd: dir, env });

  it('version prints the name and version and exits 0', async () => {
    const r = await pb(['version']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^packetbeat version \d+\.\d+\.\d+ /);
  });

  it('test config accepts a valid file (default name packetbeat.yml in path.home) and opens nothing', async () => {
    writeConfig(dir, 'packetbeat.yml', valid);
    const r = await pb(['test', 'config']);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout.trim()).to.equal('Config OK');
    expect(fs.existsSync(path.join(dir, 'out'))).to.equal(false);
    expect(fs.existsSync(path.join(dir, 'logs'))).to.equal(false);
  });

  const badConfigs: Array<[string, string, RegExp]> = [
    ['invalid YAML', 'output.file:\n  path: [oops\n', /^Exiting: .*bad\.yml:\d+:\d+: invalid YAML/],
    ['a wrong type', 'output.file.rotate_every_kb: lots\n', /^Exiting: .*bad\.yml: output\.file\.rotate_every_kb: .*integer/],
    ['an unknown output', 'output.elasticsaerch.hosts: [x]\n', /^Exiting: .*bad\.yml: output\.elasticsaerch: unknown output type "elasticsaerch" \(known: [a-z, ]*console/],
    ['two outputs', 'output.console: {}\noutput.file.path: /tmp/x\n', /^Exiting: .*bad\.yml: only one output can be enabled, found 2: output\.console, output\.file/],
    ['no output', 'name: lonely\n', /^Exiting: no output is enabled/],
    ['an unknown processor', 'output.console: {}\nprocessors:\n  - add_feilds: {fields: {a: 1}}\n', /^Exiting: .*add_feilds/],
    ['a bad condition', 'output.console: {}\nprocessors:\n  - drop_event:\n      when.equalz: {a: 1}\n', /^Exiting: .*equalz/],
  ];
  for (const [what, text, expected] of badConfigs) {
    it(`test config and run exit 1 with a clear message for ${what}`, async () => {
      writeConfig(dir, 'bad.yml', text);
      for (const command of [['test', 'config'], ['run', '-e']]) {
        const r = await pb(['-c', 'bad.yml', ...command]);
        expect(r.code, `${command.join(' ')}: ${r.stderr}`).to.equal(1);
        expect(r.stderr.split('\n').find((l) => l.startsWith('Exiting:'))).to.match(expected);
      }
    });
  }

  it('exits 1 naming the file when the config file is missing', async () => {
    const r = await pb(['-c', 'nope.yml', 'test', 'config']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(`${path.join(dir, 'nope.yml')}: no such file`);
  });

  it('warns about unknown settings, naming them, and still accepts the file', async () => {
    writeConfig(dir, 'packetbeat.yml', `${valid}queue.mem.evnts: 10\n`);
    const r = await pb(['test', 'config']);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.include('unknown setting queue.mem.evnts');
  });

  it('export config shows files, -E overrides and environment expansion merged', async () => {
    writeConfig(dir, 'packetbeat.yml', `${valid}name: \${PB_TEST_NAME:fallback}\ntags: [from-file]\nqueue.mem.events: 100\n`);
    const r = await pb(['export', 'config', '-E', 'queue.mem.events=4096', '-E', 'tags=[a, b]'], { PB_TEST_NAME: 'edge-7' });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('name: edge-7');
    expect(r.stdout).to.match(/queue:\n\s+mem:\n\s+events: 4096/);
    expect(r.stdout).to.match(/tags:\n\s+- a\n\s+- b/);
    expect(r.stdout).to.include(`path: ${dir}/out`);
  });

  it('refuses a group-writable config unless --strict.perms=false', async () => {
    writeConfig(dir, 'packetbeat.yml', valid, 0o664);
    const strict = await pb(['test', 'config']);
    expect(strict.code).to.equal(1);
    expect(strict.stderr).to.include('chmod go-w');
    const relaxed = await pb(['test', 'config', '--strict.perms=false']);
    expect(relaxed.code, relaxed.stderr).to.equal(0);
  });

  it('accepts Go-style single-dash long flags such as -path.home', async () => {
    writeConfig(dir, 'packetbeat.yml', valid);
    const r = await run(packetbeatBin, ['test', 'config', '-path.home', dir], { cwd: '/' });
    expect(r.code, r.stderr).to.equal(0);
  });

  it('exits 1 on an unknown flag', async () => {
    const r = await pb(['--no-such-flag']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('unknown option');
  });

  it('run without -I captures live on the configured device until SIGTERM (or says why it cannot)', async () => {
    writeConfig(dir, 'packetbeat.yml', `${valid}packetbeat.interfaces.device: lo\n`);
    const beat = start(packetbeatBin, ['--path.home', dir, 'run', '-e'], { cwd: dir });
    const outcome = await Promise.race([beat.waitForStderr('capturing on lo').then(() => 'capturing'), beat.done.then(() => 'exited')]);
    if (outcome === 'capturing') {
      beat.child.kill('SIGTERM');
      const r = await beat.done;
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.include('received SIGTERM, stopping');
    } else {
      // Without root or libpcap: a clear reason and exit 1.
      if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`live capture failed under REQUIRE_LIVE=1: ${beat.stderr}`);
      const r = await beat.done;
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/Exiting: (live capture needs libpcap|cannot capture on lo)/);
    }
  });

  it('a file that is not a capture exits 1 naming it', async () => {
    writeConfig(dir, 'packetbeat.yml', valid);
    const r = await pb(['run', '-e', '-I', path.join(dir, 'packetbeat.yml')]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/Exiting: .*packetbeat\.yml/);
  });

  it('an unknown protocol type stops start-up naming it', async () => {
    writeConfig(dir, 'packetbeat.yml', `${valid}packetbeat.protocols:\n  - type: gopher\n    ports: [70]\n`);
    for (const command of [['test', 'config'], ['run', '-e']]) {
      const r = await pb(command);
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/Exiting: .*gopher/);
    }
  });
});

describe('packetbeat devices', () => {
  it('lists the capture devices, loopback included, numbered', async function () {
    const { liveCaptureBackend } = await import('@packetbeat-ts/packetbeat');
    let available = true;
    try {
      liveCaptureBackend();
    } catch {
      available = false;
    }
    if (!available) {
      if (process.env['REQUIRE_LIVE'] === '1') throw new Error('a libpcap binding (ours or cap) is required when REQUIRE_LIVE=1');
      console.log('      skipped: libpcap is not available (apt-get install libpcap-dev, then npm ci)');
      this.skip();
    }
    const r = await run(packetbeatBin, ['devices']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^\d+: lo \(.*\) \(127\.0\.0\.1/m);
  });

  it('does not crash when its reader goes away (EPIPE)', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', ['-c', `node ${packetbeatBin} version | head -c 1 >/dev/null; exit \${PIPESTATUS[0]}`]);
    expect(r.status, r.stderr.toString()).to.equal(0);
    expect(r.stderr.toString()).to.not.include('EPIPE');
  });
});
