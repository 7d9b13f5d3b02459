import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import convict from 'convict';
import { registerBeatFormats } from '../../src/config/formats.js';
import { isBeatError } from '../../src/errors.js';
import type { BeatEvent } from '../../src/event.js';
import { createFileOutput, fileOutputFactory, parseFileMode, resolveFileConfig, type FileOutputConfig } from '../../src/outputs/file.js';
import type { OutputClient } from '../../src/outputs/output.js';
import { makeBatch, makeContext, makeEvents } from './helpers.js';

function localDay(d = new Date()): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

describe('outputs: file', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'fileout-'));
  });

  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  function setup(config: FileOutputConfig = {}): { client: OutputClient; ctx: ReturnType<typeof makeContext> } {
    const ctx = makeContext();
    const group = createFileOutput({ path: tmp, ...config }, ctx);
    expect(group.clients).to.have.length(1);
    return { client: group.clients[0] as OutputClient, ctx };
  }

  /** Oldest first: by date, then rotation index (the base name has index 0). */
  function ndjsonFiles(): string[] {
    const key = (f: string): [string, number] => {
      const m = /-(\d{8})(?:-(\d+))?\.ndjson$/.exec(f);
      return [m?.[1] ?? '', Number(m?.[2] ?? 0)];
    };
    return readdirSync(tmp)
      .filter((f) => f.endsWith('.ndjson'))
      .sort((a, b) => {
        const [da, ia] = key(a);
        const [db, ib] = key(b);
        return da === db ? ia - ib : da < db ? -1 : 1;
      });
  }

  function readAll(): Record<string, unknown>[] {
    const docs: Record<string, unknown>[] = [];
    for (const f of ndjsonFiles()) {
      const text = readFileSync(join(tmp, f), 'utf8');
      expect(text.endsWith('\n')).to.equal(true);
      for (const line of text.slice(0, -1).split('\n')) docs.push(JSON.parse(line) as Record<string, unknown>);
    }
    return docs;
  }

  it('writes a batch as NDJSON that parses back to the events, and acks once', async () => {
    const { client, ctx } = setup();
    const events = makeEvents(50);
    const batch = makeBatch(events);
    await client.publish(batch);
    await client.close();
    expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
    expect(ndjsonFiles()).to.deep.equal([`packetbeat-${localDay()}.ndjson`]);
    const docs = readAll();
    expect(docs).to.have.length(50);
    docs.forEach((doc, i) => {
      const e = events[i] as BeatEvent;
      expect(doc).to.deep.equal({
        '@timestamp': e.timestamp.toISOString(),
        '@metadata': { beat: 'packetbeat', type: '_doc', version: '8.15.0' },
        ...e.fields,
      });
    });
    const size = statSync(join(tmp, ndjsonFiles()[0] as string)).size;
    expect(ctx.metrics.counter('write.bytes').value).to.equal(size);
    expect(ctx.metrics.counter('write.errors').value).to.equal(0);
    if (process.platform !== 'win32') expect(statSync(join(tmp, ndjsonFiles()[0] as string)).mode & 0o777).to.equal(0o600);
    expect(client.toString()).to.equal(`file(${join(tmp, 'packetbeat')})`);
  });

  it('appends consecutive batches in order and honours filename, permissions (string) and codec', async () => {
    const { client } = setup({ filename: 'custom', permissions: '0640', codec: { format: { string: '%{[seq]}:%{[message]}' } } });
    await client.publish(makeBatch(makeEvents(3)));
    await client.publish(makeBatch(makeEvents(2)));
    await client.close();
    const [file] = ndjsonFiles();
    expect(file).to.equal(`custom-${localDay()}.ndjson`);
    expect(readFileSync(join(tmp, file as string), 'utf8')).to.equal('0:event 0\n1:event 1\n2:event 2\n0:event 0\n1:event 1\n');
    if (process.platform !== 'win32') expect(statSync(join(tmp, file as string)).mode & 0o777).to.equal(0o640);
  });

  it('rotates every rotate_every_kb and keeps number_of_files', async () => {
    const { client } = setup({ rotate_every_kb: 1, number_of_files: 3 });
    let seq = 0;
    for (let b = 0; b < 20; b++) {
      // ~230 bytes per line: 3 lines fit in 1 KiB, two batches do not
      const events = makeEvents(3).map((e) => ({ ...e, fields: { ...e.fields, seq: seq++, pad: 'p'.repeat(60) } }));
      const batch = makeBatch(events);
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
    }
    await client.close();
    const files = ndjsonFiles();
    expect(files).to.have.length(3);
    for (const f of files) expect(statSync(join(tmp, f)).size).to.be.at.most(1024);
    const seqs = readAll().map((d) => d['seq'] as number);
    // the newest events survive, in order, with none lost inside the kept files
    expect(seqs[seqs.length - 1]).to.equal(59);
    expect(seqs).to.have.length(9);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).to.equal((seqs[i - 1] as number) + 1);
  });

  it('writes a batch bigger than a whole file event by event, within the size limit', async () => {
    const { client } = setup({ rotate_every_kb: 1, number_of_files: 100 });
    const events: BeatEvent[] = makeEvents(40).map((e) => ({ ...e, fields: { ...e.fields, pad: 'q'.repeat(100) } }));
    const batch = makeBatch(events);
    await client.publish(batch);
    await client.close();
    expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
    expect(ndjsonFiles().length).to.be.greaterThan(4);
    for (const f of ndjsonFiles()) expect(statSync(join(tmp, f)).size).to.be.at.most(1024);
    expect(readAll().map((d) => d['seq'])).to.deep.equal(events.map((e) => e.fields['seq']));
  });

  it('rotate_on_startup: a new output instance starts a new file (or appends when false)', async () => {
    const a = setup();
    await a.client.publish(makeBatch(makeEvents(1)));
    await a.client.close();
    const b = setup();
    await b.client.publish(makeBatch(makeEvents(1)));
    await b.client.close();
    expect(ndjsonFiles()).to.have.length(2);
    const c = setup({ rotate_on_startup: false });
    await c.client.publish(makeBatch(makeEvents(1)));
    await c.client.close();
    expect(ndjsonFiles()).to.have.length(2);
    expect(readAll()).to.have.length(3);
  });

  it('drops events the codec cannot encode and acks the rest', async () => {
    const { client } = setup({ codec: { format: { string: '%{[message]}' } } });
    const good = makeEvents(2);
    const bad: BeatEvent = { timestamp: new Date(), fields: { other: 1 } };
    const batch = makeBatch([good[0] as BeatEvent, bad, good[1] as BeatEvent]);
    await client.publish(batch);
    await client.close();
    expect(batch.settlements).to.deep.equal([{ kind: 'retryEvents', failed: [], dropped: [bad] }]);
    expect(readFileSync(join(tmp, ndjsonFiles()[0] as string), 'utf8')).to.equal('event 0\nevent 1\n');
  });

  it('a write error retries the batch, counts write.errors and logs', async () => {
    writeFileSync(join(tmp, 'blocker'), 'a regular file');
    const ctx = makeContext();
    const group = createFileOutput({ path: join(tmp, 'blocker', 'out') }, ctx);
    const client = group.clients[0] as OutputClient;
    const batch = makeBatch(makeEvents(3));
    await client.publish(batch);
    expect(batch.settlements).to.deep.equal([{ kind: 'retry' }]);
    expect(ctx.metrics.counter('write.errors').value).to.equal(1);
    expect(ctx.metrics.counter('write.bytes').value).to.equal(0);
    const err = ctx.logger.lines.find((l) => l.level === 'error');
    expect(err?.message).to.match(/writing events failed/);
    expect(err?.fields?.['code']).to.be.oneOf(['ENOTDIR', 'EEXIST']);
    expect(group.maxRetries).to.be.greaterThan(0);
    await client.close();
  });

  it('an empty batch acks without creating a file', async () => {
    const { client } = setup();
    const batch = makeBatch([]);
    await client.publish(batch);
    await client.close();
    expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
    expect(ndjsonFiles()).to.deep.equal([]);
  });

  it('resolves config: defaults, %{+FORMAT} in path, validation', () => {
    const now = new Date(Date.UTC(2024, 0, 2, 3));
    const d = resolveFileConfig({}, 'packetbeat', now);
    expect(d).to.deep.include({ filename: 'packetbeat', maxSizeBytes: 10240 * 1024, maxFiles: 7, permissions: 0o600, rotateOnStartup: true });
    expect(d.dir).to.equal(join(process.cwd(), 'data'));
    expect(resolveFileConfig({ path: join(tmp, 'out-%{+yyyy.MM.dd}') }, 'pb', now).dir).to.equal(join(tmp, 'out-2024.01.02'));
    const bad = (c: FileOutputConfig, key: string): void => {
      try {
        resolveFileConfig(c, 'pb');
        expect.fail(`should reject ${JSON.stringify(c)}`);
      } catch (err) {
        expect(isBeatError(err) ? err.key : undefined).to.equal(`output.file.${key}`);
      }
    };
    bad({ number_of_files: 1 }, 'number_of_files');
    bad({ number_of_files: 1025 }, 'number_of_files');
    bad({ rotate_every_kb: 0 }, 'rotate_every_kb');
    bad({ permissions: '0999' }, 'permissions');
    bad({ path: 'x-%{[field]}' }, 'path');
    bad({ filename: 'a/b' }, 'filename');
  });

  it('parses permissions as numbers or octal strings', () => {
    expect(parseFileMode(0o600)).to.equal(0o600);
    expect(parseFileMode('0600')).to.equal(0o600);
    expect(parseFileMode('644')).to.equal(0o644);
    expect(parseFileMode('0o755')).to.equal(0o755);
    expect(parseFileMode(0o1000)).to.equal(undefined);
    expect(parseFileMode('rw')).to.equal(undefined);
    expect(parseFileMode(true)).to.equal(undefined);
  });

  it('schema: convict validates and fills defaults that create() accepts', async () => {
    registerBeatFormats();
    const load = (value: Record<string, unknown>): FileOutputConfig => {
      const conf = convict<{ file: FileOutputConfig }>({ file: fileOutputFactory.schema }, { args: [], env: {} });
      conf.load({ file: value });
      conf.validate({ allowed: 'strict' });
      return conf.get('file');
    };
    const cfg = load({ path: tmp, permissions: '0640', rotate_every_kb: 1 });
    expect(cfg).to.deep.include({ filename: '', number_of_files: 7, rotate_on_startup: true, permissions: '0640' });
    const ctx = makeContext();
    const client = (await fileOutputFactory.create(cfg, ctx)).clients[0] as OutputClient;
    const batch = makeBatch(makeEvents(2));
    await client.publish(batch);
    await client.close();
    expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
    if (process.platform !== 'win32') expect(statSync(join(tmp, ndjsonFiles()[0] as string)).mode & 0o777).to.equal(0o640);
    expect(load({ permissions: 0o600 }).permissions).to.equal(0o600);
    expect(() => load({ number_of_files: 1 })).to.throw(/number_of_files/);
    expect(() => load({ permissions: 'rw-' })).to.throw(/permissions/);
    expect(() => load({ rotate_every_kb: 0 })).to.throw(/rotate_every_kb/);
  });

  it('factory: schema keys and healthcheck', async () => {
    expect(Object.keys(fileOutputFactory.schema).sort()).to.deep.equal(
      ['codec', 'filename', 'number_of_files', 'path', 'permissions', 'rotate_every_kb', 'rotate_on_startup'],
    );
    const ctx = makeContext();
    expect(await fileOutputFactory.healthcheck?.({ path: join(tmp, 'hc') }, ctx)).to.match(/writable/);
    writeFileSync(join(tmp, 'f'), '');
    let failed = false;
    await fileOutputFactory.healthcheck?.({ path: join(tmp, 'f', 'x') }, ctx).catch(() => {
      failed = true;
    });
    expect(failed).to.equal(true);
  });
});
