import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FileRotator, type FileRotatorOptions } from '../../src/common/file-rotator.js';

const posix = process.platform !== 'win32';

describe('common: FileRotator', () => {
  let tmp: string;
  let dir: string;
  let clock: Date;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rotator-'));
    dir = join(tmp, 'out');
    clock = new Date(2024, 4, 17, 12, 0, 0); // local time, as Beats names files
  });

  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  function rotator(opts: Partial<FileRotatorOptions> = {}): FileRotator {
    return new FileRotator({ dir, filename: 'packetbeat', now: () => clock, ...opts });
  }

  function files(): string[] {
    return readdirSync(dir).sort();
  }

  it('creates the directory (0750) and a dated .ndjson file (0600)', () => {
    const r = rotator();
    expect(r.currentPath).to.equal(join(dir, 'packetbeat-20240517.ndjson'));
    r.write('hello\n');
    r.close();
    expect(files()).to.deep.equal(['packetbeat-20240517.ndjson']);
    expect(readFileSync(join(dir, 'packetbeat-20240517.ndjson'), 'utf8')).to.equal('hello\n');
    if (posix) {
      expect(statSync(dir).mode & 0o777).to.equal(0o750);
      expect(statSync(join(dir, 'packetbeat-20240517.ndjson')).mode & 0o777).to.equal(0o600);
    }
  });

  it('applies the configured permissions exactly', function () {
    if (!posix) this.skip();
    const r = rotator({ permissions: 0o664 });
    r.write('x');
    r.close();
    expect(statSync(join(dir, 'packetbeat-20240517.ndjson')).mode & 0o777).to.equal(0o664);
  });

  it('rotates before a write that would exceed maxSizeBytes', () => {
    const r = rotator({ maxSizeBytes: 100, maxFiles: 10 });
    const chunk = (i: number): string => `${String(i).padStart(2, '0')}${'x'.repeat(37)}\n`; // 40 bytes
    for (let i = 0; i < 7; i++) r.write(chunk(i));
    r.close();
    expect(files()).to.deep.equal(['packetbeat-20240517-1.ndjson', 'packetbeat-20240517-2.ndjson', 'packetbeat-20240517-3.ndjson', 'packetbeat-20240517.ndjson']);
    const content = (n: string): string => readFileSync(join(dir, n), 'utf8');
    expect(content('packetbeat-20240517.ndjson')).to.equal(chunk(0) + chunk(1));
    expect(content('packetbeat-20240517-1.ndjson')).to.equal(chunk(2) + chunk(3));
    expect(content('packetbeat-20240517-3.ndjson')).to.equal(chunk(6));
    for (const f of files()) expect(statSync(join(dir, f)).size).to.be.at.most(100);
  });

  it('a write exactly filling the file does not rotate; an oversized write goes whole into a fresh file', () => {
    const r = rotator({ maxSizeBytes: 10 });
    r.write('12345');
    r.write('67890');
    expect(r.currentPath).to.match(/packetbeat-20240517\.ndjson$/);
    r.write(Buffer.from('this is longer than ten bytes'));
    expect(r.currentPath).to.match(/packetbeat-20240517-1\.ndjson$/);
    r.write('a');
    expect(r.currentPath).to.match(/packetbeat-20240517-2\.ndjson$/);
    r.close();
    expect(readFileSync(join(dir, 'packetbeat-20240517.ndjson'), 'utf8')).to.equal('1234567890');
    expect(readFileSync(join(dir, 'packetbeat-20240517-1.ndjson'), 'utf8')).to.equal('this is longer than ten bytes');
  });

  it('keeps at most maxFiles files, deleting the oldest', () => {
    const r = rotator({ maxSizeBytes: 10, maxFiles: 3 });
    for (let i = 0; i < 10; i++) r.write(`line-${i}...\n`); // 12 bytes: one file each
    r.close();
    expect(files()).to.deep.equal(['packetbeat-20240517-7.ndjson', 'packetbeat-20240517-8.ndjson', 'packetbeat-20240517-9.ndjson']);
    expect(readFileSync(join(dir, 'packetbeat-20240517-9.ndjson'), 'utf8')).to.equal('line-9...\n');
  });

  it('orders files by date then index across days when purging', () => {
    const r = rotator({ maxSizeBytes: 5, maxFiles: 3 });
    r.write('aaaa');
    r.write('bbbb'); // -1
    clock = new Date(2024, 4, 18, 0, 5);
    r.write('cccc'); // 20240518
    r.write('dddd'); // 20240518-1
    r.close();
    expect(files()).to.deep.equal(['packetbeat-20240517-1.ndjson', 'packetbeat-20240518-1.ndjson', 'packetbeat-20240518.ndjson']);
  });

  it('rotate_on_startup: true starts a new file when one exists', () => {
    const r1 = rotator();
    r1.write('first\n');
    r1.close();
    const r2 = rotator();
    r2.open();
    expect(r2.currentPath).to.equal(join(dir, 'packetbeat-20240517-1.ndjson'));
    r2.write('second\n');
    r2.close();
    expect(files()).to.deep.equal(['packetbeat-20240517-1.ndjson', 'packetbeat-20240517.ndjson']);
    expect(readFileSync(join(dir, 'packetbeat-20240517.ndjson'), 'utf8')).to.equal('first\n');
    expect(readFileSync(join(dir, 'packetbeat-20240517-1.ndjson'), 'utf8')).to.equal('second\n');
  });

  it('rotate_on_startup: false appends to the newest file and counts its size', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'packetbeat-20240515-4.ndjson'), 'old\n');
    writeFileSync(join(dir, 'packetbeat-20240516.ndjson'), '0123456789\n'); // 11 bytes, newest
    const r = rotator({ rotateOnStartup: false, maxSizeBytes: 20 });
    r.open();
    expect(r.currentPath).to.equal(join(dir, 'packetbeat-20240516.ndjson'));
    expect(r.currentSize).to.equal(11);
    r.write('abcdefgh\n'); // 20 bytes: still fits
    expect(r.currentPath).to.equal(join(dir, 'packetbeat-20240516.ndjson'));
    r.write('z'); // would exceed: rotates to today's file
    expect(r.currentPath).to.equal(join(dir, 'packetbeat-20240517.ndjson'));
    r.close();
    expect(readFileSync(join(dir, 'packetbeat-20240516.ndjson'), 'utf8')).to.equal('0123456789\nabcdefgh\n');
  });

  it('rotate_on_startup: false with no file yet creates today\'s file', () => {
    const r = rotator({ rotateOnStartup: false });
    r.write('x');
    r.close();
    expect(files()).to.deep.equal(['packetbeat-20240517.ndjson']);
  });

  it('leaves unrelated files alone', () => {
    mkdirSync(dir, { recursive: true });
    for (const f of ['packetbeat.yml', 'packetbeat-foo.ndjson', 'other-20240101.ndjson', 'packetbeat-20240101.log', 'packetbeat']) {
      writeFileSync(join(dir, f), 'keep');
    }
    const r = rotator({ maxSizeBytes: 2, maxFiles: 2 });
    for (let i = 0; i < 5; i++) r.write('ab');
    r.close();
    expect(files()).to.deep.equal([
      'other-20240101.ndjson',
      'packetbeat',
      'packetbeat-20240101.log',
      'packetbeat-20240517-3.ndjson',
      'packetbeat-20240517-4.ndjson',
      'packetbeat-foo.ndjson',
      'packetbeat.yml',
    ]);
  });

  it('rotate() starts the next file explicitly; close() then write() reopens', () => {
    const r = rotator();
    r.write('a');
    r.rotate();
    expect(r.currentPath).to.equal(join(dir, 'packetbeat-20240517-1.ndjson'));
    r.write('b');
    r.close();
    expect(r.isOpen).to.equal(false);
    r.write('c'); // reopen: rotate_on_startup applies again
    r.close();
    expect(files()).to.deep.equal(['packetbeat-20240517-1.ndjson', 'packetbeat-20240517-2.ndjson', 'packetbeat-20240517.ndjson']);
  });

  it('supports a custom extension', () => {
    const r = rotator({ extension: 'log' });
    r.write('x');
    r.close();
    expect(files()).to.deep.equal(['packetbeat-20240517.log']);
  });

  it('throws fs errors with their code (parent path is a regular file)', () => {
    writeFileSync(join(tmp, 'blocker'), 'not a dir');
    const r = new FileRotator({ dir: join(tmp, 'blocker', 'sub'), filename: 'packetbeat' });
    try {
      r.write('x');
      expect.fail('should throw');
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).to.be.oneOf(['ENOTDIR', 'EEXIST']);
    }
  });

  it('validates its options', () => {
    expect(() => rotator({ maxSizeBytes: 0 })).to.throw(/size/);
    expect(() => rotator({ maxFiles: 0 })).to.throw(/number of files/);
    expect(() => rotator({ maxFiles: 1025 })).to.throw(/number of files/);
    expect(() => rotator({ permissions: 0o1777 })).to.throw(/permissions/);
    expect(() => new FileRotator({ dir, filename: 'a/b' })).to.throw(/file name/);
  });
});
