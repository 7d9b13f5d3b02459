import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const packetbeatBin = path.join(repoRoot, 'packages/packetbeat/bin/packetbeat');
export const counterBeatScript = path.join(repoRoot, 'test/dist/fixtures/counter-beat.js');

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running child process whose output is collected as it arrives. */
export class RunningProcess {
  stdout = '';
  stderr = '';
  readonly done: Promise<ProcessResult>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.done = new Promise((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  /** Resolves when stderr contains `text`; rejects after `timeoutMs`. */
  async waitForStderr(text: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stderr.includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}" on stderr; got:\n${this.stderr}`);
      if (this.child.exitCode !== null) throw new Error(`process exited (${this.child.exitCode}) before "${text}"; stderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export function start(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningProcess {
  const child = spawn(process.execPath, [command, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new RunningProcess(child);
}

export async function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return start(command, args, options).done;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a config file with the owner-only mode strict perms require. */
export function writeConfig(dir: string, name: string, text: string, mode = 0o600): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

/** Reads every NDJSON document the file output wrote into `dir`. */
export function readNdjson(dir: string): Record<string, unknown>[] {
  if (!fs.existsSync(dir)) return [];
  // Oldest file first: rotated names (name-DATE-N) do not sort by age.
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort((a, b) => fs.statSync(path.join(dir, a)).mtimeMs - fs.statSync(path.join(dir, b)).mtimeMs);
  return files.flatMap((f) =>
    fs
      .readFileSync(path.join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Waits until the file output in `dir` holds at least `count` documents, or
 * `timeoutMs` passes: live tests stop the beat only once the capture has
 * caught up, since no fixed pause is long enough on a loaded machine.
 */
export async function waitForDocuments(dir: string, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (readNdjson(dir).length >= count) return;
    } catch {
      // A line caught half-written: read again on the next round.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
