import { spawn } from 'node:child_process';
import { expect } from 'chai';

const managerUrl = new URL('../../src/logging/log-manager.js', import.meta.url).href;
const settingsUrl = new URL('../../src/logging/settings.js', import.meta.url).href;

/** Runs an ESM snippet in a child node and returns its stderr and exit code. */
function runChild(body: string): Promise<{ stderr: string; stdout: string; code: number | null }> {
  const script = `import { LogManager } from ${JSON.stringify(managerUrl)};
import { defaultLoggingSettings, applyLoggingFlags } from ${JSON.stringify(settingsUrl)};
${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stderr, stdout, code }));
  });
}

describe('logging: stderr output (child process)', function () {
  this.timeout(20000);

  it('logs before configuration go to stderr as text', async () => {
    const { stderr, stdout, code } = await runChild(`
const m = new LogManager();
m.logger('beat').info('starting', { pid: 1 });
m.logger('beat').debug('hidden');
`);
    expect(code).to.equal(0);
    expect(stdout).to.equal('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tINFO\t\[beat\]\tstarting\t\{"pid":1\}$/);
  });

  it('-e with -d writes debug JSON lines to stderr, none lost at process.exit', async () => {
    const { stderr, code } = await runChild(`
const m = new LogManager(undefined, { serviceName: 'testbeat' });
const s = applyLoggingFlags(defaultLoggingSettings('testbeat', '/nonexistent-logs'), { stderr: true, debugSelectors: ['pub'] });
s.json = true;
m.configure(s);
const l = m.logger('pub');
for (let i = 0; i < 5000; i++) l.debug('line ' + i, { i, pad: 'x'.repeat(100) });
m.logger('other').debug('not selected');
process.exit(3);
`);
    expect(code).to.equal(3);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).to.have.length(5000);
    const last = JSON.parse(lines[4999] ?? '') as Record<string, unknown>;
    expect(last['log.level']).to.equal('debug');
    expect(last['log.logger']).to.equal('pub');
    expect(last['service.name']).to.equal('testbeat');
    expect(last['i']).to.equal(4999);
  });
});
