import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LogManager } from '../../src/logging/log-manager.js';
import { defaultLoggingSettings, type LoggingSettings } from '../../src/logging/settings.js';

describe('logging: to_files', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'logfiles-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function fileSettings(patch: Partial<LoggingSettings['files']> = {}): LoggingSettings {
    const s = defaultLoggingSettings('testbeat', join(dir, 'logs'));
    s.files = { ...s.files, ...patch };
    return s;
  }

  function logFiles(): string[] {
    return readdirSync(join(dir, 'logs')).filter((f) => f.startsWith('testbeat')).sort();
  }

  it('creates the log file only when the first line is written, as JSON lines with mode 0600', () => {
    const m = new LogManager(fileSettings(), { serviceName: 'testbeat' });
    expect(m.currentFile).to.equal(undefined);
    m.logger('publisher').info('hello', { n: 1 });
    m.logger('publisher').debug('hidden');
    const path = m.currentFile;
    expect(path).to.be.a('string');
    m.close();
    const lines = readFileSync(path ?? '', 'utf8').trimEnd().split('\n');
    expect(lines).to.have.length(1);
    const doc = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(doc['message']).to.equal('hello');
    expect(doc['log.logger']).to.equal('publisher');
    expect(doc['n']).to.equal(1);
    if (process.platform !== 'win32') expect(statSync(path ?? '').mode & 0o777).to.equal(0o600);
    expect(m.writeErrors).to.equal(0);
  });

  it('rotates at rotateeverybytes and keeps at most keepfiles rotated files', () => {
    const m = new LogManager(fileSettings({ rotateeverybytes: 1024, keepfiles: 3 }));
    const l = m.logger('x');
    for (let i = 0; i < 200; i++) l.info(`line ${i}`, { pad: 'y'.repeat(50) });
    const current = m.currentFile ?? '';
    m.close();
    expect(m.writeErrors).to.equal(0);
    const files = logFiles();
    expect(files.length).to.be.greaterThan(1);
    expect(files.length).to.be.at.most(3);
    for (const f of files) {
      const p = join(dir, 'logs', f);
      expect(statSync(p).size).to.be.at.most(1024);
      for (const line of readFileSync(p, 'utf8').trimEnd().split('\n')) {
        expect(() => JSON.parse(line) as unknown).to.not.throw();
      }
    }
    const last = readFileSync(current, 'utf8').trimEnd().split('\n').pop() ?? '';
    expect((JSON.parse(last) as Record<string, unknown>)['message']).to.equal('line 199');
  });

  it('rotateonstartup starts a new file for a new run; false appends to the newest', () => {
    const run = (rotateonstartup: boolean, msg: string): string => {
      const m = new LogManager(fileSettings({ rotateonstartup }));
      m.logger('x').info(msg);
      const p = m.currentFile ?? '';
      m.close();
      return p;
    };
    const first = run(true, 'run 1');
    const second = run(true, 'run 2');
    expect(second).to.not.equal(first);
    const third = run(false, 'run 3');
    expect(third).to.equal(second);
    expect(logFiles()).to.have.length(2);
    const lines = readFileSync(third, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as Record<string, unknown>)['message'])).to.deep.equal(['run 2', 'run 3']);
  });

  it('writes text lines when json is false', () => {
    const s = fileSettings();
    s.json = false;
    const m = new LogManager(s);
    m.logger('a').warn('careful');
    const path = m.currentFile ?? '';
    m.close();
    expect(readFileSync(path, 'utf8')).to.match(/^\S+\tWARN\t\[a\]\tcareful\n$/);
  });

  it('stderr bootstrap then configure() to files: later lines go to the file only', () => {
    const early: string[] = [];
    const m = new LogManager(undefined, { stderrWrite: (l) => early.push(l) });
    m.logger('beat').info('before config');
    m.configure(fileSettings());
    m.logger('beat').info('after config');
    const path = m.currentFile ?? '';
    m.close();
    expect(early).to.have.length(1);
    expect(early[0]).to.contain('before config');
    const content = readFileSync(path, 'utf8');
    expect(content).to.contain('after config');
    expect(content).to.not.contain('before config');
  });
});
