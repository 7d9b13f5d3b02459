import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type OutputCatalog } from '../../src/config/load.js';
import { parseDuration, formatDuration } from '../../src/config/duration.js';
import { BeatError } from '../../src/errors.js';

const catalog: OutputCatalog = {
  types: () => ['console', 'file', 'discard'],
  get: (type) =>
    ({
      console: { schema: { pretty: { format: 'bool', default: false } } },
      file: {
        schema: {
          path: { format: 'string', default: '' },
          rotate_every_kb: { format: 'positive-int', default: 10240 },
          permissions: { format: 'file-mode', default: 0o600 },
        },
      },
      discard: { schema: {} },
    })[type],
};

const beatSchema = {
  packetbeat: {
    interfaces: { device: { format: 'string', default: 'any' }, snaplen: { format: 'positive-int', default: 65535 } },
  },
};

describe('config loading', () => {
  let dir: string;
  const write = (name: string, text: string, mode = 0o600): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
    return file;
  };
  const load = (files: string[], overrides: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    loadConfig({ beatName: 'testbeat', files, overrides, outputs: catalog, beatSchema, env, flagSettings: { path: { home: dir } } });
  const failure = (fn: () => unknown): BeatError => {
    try {
      fn();
    } catch (err) {
      expect(err).to.be.instanceOf(BeatError);
      return err as BeatError;
    }
    throw new Error('expected a BeatError');
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beatcfg-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('applies defaults from libbeat and the beat schema', () => {
    const cfg = load([write('a.yml', 'output.console: {}\n')]);
    expect(cfg.get('queue.mem.events')).to.equal(3200);
    expect(cfg.get('queue.mem.flush.min_events')).to.equal(1600);
    expect(parseDuration(cfg.get('queue.mem.flush.timeout'))).to.equal(10_000);
    expect(cfg.get('packetbeat.interfaces.snaplen')).to.equal(65535);
    expect(cfg.get('http.port')).to.equal(5066);
    expect(cfg.get('path.data')).to.equal(path.join(dir, 'data'));
    expect(cfg.get('logging.files.path')).to.equal(path.join(dir, 'logs'));
    expect(cfg.output).to.deep.equal({ type: 'console', settings: { enabled: true, pretty: false } });
  });

  it('reads dotted and nested keys alike', () => {
    const dotted = load([write('a.yml', 'output.console.pretty: true\nqueue.mem.events: 100\n')]);
    const nested = load([write('b.yml', 'output:\n  console:\n    pretty: true\nqueue:\n  mem:\n    events: 100\n')]);
    expect(dotted.get('output.console.pretty')).to.equal(true);
    expect(nested.get('output.console.pretty')).to.equal(true);
    expect(dotted.get('queue.mem.events')).to.equal(nested.get('queue.mem.events'));
  });

  it('gives -E overrides precedence over files, typed as YAML', () => {
    const file = write('a.yml', 'output.console.pretty: false\nqueue.mem.events: 100\ntags: [a]\n');
    const cfg = load([file], ['output.console.pretty=true', 'queue.mem.events=4096', 'tags=[x, z]', 'name=edge-1']);
    expect(cfg.get('output.console.pretty')).to.equal(true);
    expect(cfg.get('queue.mem.events')).to.equal(4096);
    expect(cfg.get('tags')).to.deep.equal(['x', 'z']);
    expect(cfg.get('name')).to.equal('edge-1');
    expect(cfg.originOf('queue.mem.events')).to.equal('-E');
    expect(cfg.originOf('output.console')).to.equal('-E');
  });

  it('merges several files in order, later wins', () => {
    const a = write('a.yml', 'queue.mem.events: 100\noutput.console: {}\n');
    const b = write('b.yml', 'queue.mem.events: 200\n');
    const cfg = load([a, b]);
    expect(cfg.get('queue.mem.events')).to.equal(200);
    expect(cfg.originOf('queue.mem.events')).to.equal(b);
    expect(cfg.originOf('output.console')).to.equal(a);
  });

  it('expands ${VAR} and ${VAR:default}, typed when the whole value is a reference', () => {
    const file = write('a.yml', ['output.file.path: ${OUT_DIR}/beat', 'output.file.rotate_every_kb: ${ROT:512}', 'http.port: ${PORT}', 'name: ${NOPE:fallback-name}', 'http.host: "${HOST:127.0.0.1}"'].join('\n'));
    const cfg = load([file], [], { OUT_DIR: '/tmp/x', PORT: '6066' });
    expect(cfg.get('output.file.path')).to.equal('/tmp/x/beat');
    expect(cfg.get('output.file.rotate_every_kb')).to.equal(512);
    expect(cfg.get('http.port')).to.equal(6066);
    expect(cfg.get('name')).to.equal('fallback-name');
    expect(cfg.get('http.host')).to.equal('127.0.0.1');
  });

  it('resolves references to other settings such as ${path.home}', () => {
    const cfg = load([write('a.yml', 'output.file.path: ${path.home}/out\n')]);
    expect(cfg.get('output.file.path')).to.equal(`${dir}/out`);
  });

  it('resolves ${path.home} and ${path.data} when no path flag was given', () => {
    const file = write('a.yml', 'output.file.path: ${path.data}/out\nname: ${path.home}\n');
    const cfg = loadConfig({ beatName: 'b', files: [file], outputs: catalog });
    expect(cfg.get('name')).to.equal(process.cwd());
    expect(cfg.get('output.file.path')).to.equal(path.join(process.cwd(), 'data', 'out'));
    const moved = loadConfig({ beatName: 'b', files: [write('b.yml', 'path.home: /srv/beat\noutput.file.path: ${path.data}/out\n')], outputs: catalog });
    expect(moved.get('output.file.path')).to.equal('/srv/beat/data/out');
    expect(moved.get('path.logs')).to.equal('/srv/beat/logs');
  });

  it('applies a beat\'s own defaults below the files and flags', () => {
    const defaults = { 'queue.mem.flush.min_events': 1, 'output.discard': {} };
    const plain = loadConfig({ beatName: 'b', files: [write('a.yml', 'name: x\n')], outputs: catalog, defaults });
    expect(plain.get('queue.mem.flush.min_events')).to.equal(1);
    expect(plain.output?.type).to.equal('discard');
    expect(plain.originOf('queue.mem.flush.min_events')).to.equal('default');
    const file = write('b.yml', 'queue.mem.flush.min_events: 50\n');
    const overridden = loadConfig({ beatName: 'b', files: [file], outputs: catalog, defaults, overrides: ['output.discard.enabled=true'] });
    expect(overridden.get('queue.mem.flush.min_events')).to.equal(50);
    expect(overridden.originOf('queue.mem.flush.min_events')).to.equal(file);
  });

  it('fails on a missing variable without default, naming the key and file', () => {
    const file = write('a.yml', 'output.console: {}\nname: ${UNSET_VAR_X}\n');
    const err = failure(() => load([file]));
    expect(err.code).to.equal('BEAT_ERR_CONFIG_INVALID');
    expect(err.key).to.equal('name');
    expect(err.file).to.equal(file);
    expect(err.message).to.include('UNSET_VAR_X');
  });

  it('reports invalid YAML with file, line and column', () => {
    const file = write('bad.yml', 'output.console:\n  pretty: [unclosed\n');
    const err = failure(() => load([file]));
    expect(err.code).to.equal('BEAT_ERR_CONFIG_YAML');
    expect(err.message).to.match(new RegExp(`^${file}:\\d+:\\d+: invalid YAML`));
  });

  it('reports a wrong type with the file, the key and what was expected', () => {
    const file = write('a.yml', 'output.file.rotate_every_kb: lots\n');
    const err = failure(() => load([file]));
    expect(err.code).to.equal('BEAT_ERR_CONFIG_INVALID');
    expect(err.key).to.equal('output.file.rotate_every_kb');
    expect(err.message).to.equal(`${file}: output.file.rotate_every_kb: must be a positive integer: value was "lots"`);
  });

  it('does not read a typo as true for a boolean', () => {
    const err = failure(() => load([write('a.yml', 'output.console.pretty: ture\n')]));
    expect(err.message).to.include('output.console.pretty: must be a boolean');
  });

  it('names -E as the origin of a bad override', () => {
    const err = failure(() => load([write('a.yml', 'output.console: {}\n')], ['queue.mem.events=-5']));
    expect(err.message).to.match(/^-E: queue\.mem\.events: must be a positive integer/);
  });

  it('rejects an unknown output type, listing the known ones', () => {
    const err = failure(() => load([write('a.yml', 'output.kafkaa.hosts: [x]\n')]));
    expect(err.code).to.equal('BEAT_ERR_OUTPUT_UNKNOWN');
    expect(err.message).to.include('unknown output type "kafkaa"');
    expect(err.message).to.include('console, discard, file');
  });

  it('rejects two enabled outputs, and accepts one disabled', () => {
    const err = failure(() => load([write('a.yml', 'output.console: {}\noutput.file.path: /tmp\n')]));
    expect(err.code).to.equal('BEAT_ERR_OUTPUT_COUNT');
    expect(err.message).to.include('only one output can be enabled');
    const ok = load([write('b.yml', 'output.console: {}\noutput.file.enabled: false\n')]);
    expect(ok.output?.type).to.equal('console');
    const viaFlag = load([write('c.yml', 'output.file.path: /tmp\n')], ['output.file.enabled=false', 'output.discard.enabled=true']);
    expect(viaFlag.output?.type).to.equal('discard');
  });

  it('requires an output unless told otherwise', () => {
    const err = failure(() => load([write('a.yml', 'name: x\n')]));
    expect(err.code).to.equal('BEAT_ERR_OUTPUT_COUNT');
    const cfg = loadConfig({ beatName: 'b', files: [write('b.yml', 'name: x\n')], outputs: catalog, requireOutput: false });
    expect(cfg.output).to.equal(undefined);
  });

  it('treats an empty output section as enabling that output', () => {
    const cfg = load([write('a.yml', 'output.discard:\n')]);
    expect(cfg.output?.type).to.equal('discard');
  });

  it('warns about unknown keys, naming them and where they came from', () => {
    const file = write('a.yml', 'output.console: {}\nqueue.mem.evnets: 5\n');
    const cfg = load([file]);
    expect(cfg.warnings).to.deep.include({ key: 'queue.mem.evnets', origin: file, message: 'unknown setting queue.mem.evnets (ignored)' });
  });

  it('reads YAML 1.1 booleans and octal modes as Beats does', () => {
    const cfg = load([write('a.yml', 'output.file.permissions: 0640\nhttp.enabled: on\n')]);
    expect(cfg.get('output.file.permissions')).to.equal(0o640);
    expect(cfg.get('http.enabled')).to.equal(true);
  });

  it('keeps nested values of map settings whole (fields, processors)', () => {
    const cfg = load([write('a.yml', 'output.console: {}\nfields: {env: {name: x}, list: [1, 2]}\nprocessors:\n  - add_fields: {target: a, fields: {b: {c: 1}}}\n')]);
    expect(cfg.get('fields')).to.deep.equal({ env: { name: 'x' }, list: [1, 2] });
    expect(cfg.get('processors')).to.deep.equal([{ add_fields: { target: 'a', fields: { b: { c: 1 } } } }]);
    const err = failure(() => load([write('b.yml', 'output.console: {}\nfields: [a]\n')]));
    expect(err.message).to.include('fields: must be a map');
  });

  it('reports a missing config file with its path', () => {
    const err = failure(() => load([path.join(dir, 'nope.yml')]));
    expect(err.code).to.equal('BEAT_ERR_CONFIG_FILE');
    expect(err.message).to.include('nope.yml: no such file');
  });

  it('refuses a group- or world-writable config file under strict perms', () => {
    const file = write('a.yml', 'output.console: {}\n', 0o666);
    const err = failure(() => load([file]));
    expect(err.code).to.equal('BEAT_ERR_FILE_PERMISSIONS');
    expect(err.message).to.include('chmod go-w');
    const cfg = loadConfig({ beatName: 'b', files: [file], outputs: catalog, strictPerms: false });
    expect(cfg.output?.type).to.equal('console');
  });

  it('reports a setting given a scalar where a map is expected', () => {
    const err = failure(() => load([write('a.yml', 'output.console: {}\nqueue: 5\n')]));
    expect(err.message).to.include('queue');
  });
});

describe('durations', () => {
  it('parses Go durations and bare seconds', () => {
    expect(parseDuration('10s')).to.equal(10_000);
    expect(parseDuration('1m30s')).to.equal(90_000);
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('1.5h')).to.equal(5_400_000);
    expect(parseDuration(5)).to.equal(5000);
    expect(parseDuration('-1s')).to.equal(-1000);
    expect(parseDuration('-1')).to.equal(-1000);
    expect(parseDuration('ten')).to.equal(undefined);
    expect(parseDuration('10x')).to.equal(undefined);
  });
  it('formats milliseconds back', () => {
    expect(formatDuration(90_000)).to.equal('1m30s');
    expect(formatDuration(500)).to.equal('500ms');
    expect(formatDuration(0)).to.equal('0s');
  });
});
