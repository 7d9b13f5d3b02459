'use strict';
/* global __dirname */
// Builds the libpcap capture binding (native/build/Release/packetbeat_pcap.node)
// when the package is installed. It never fails the install: without a C++
// toolchain or the libpcap headers it prints one warning line, writes the
// compiler's output to native/build/install-error.log, and live capture falls
// back to the optional `cap` package.
//
// PACKETBEAT_NATIVE_BUILD=0 skips the build.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const nativeDir = __dirname;
const buildDir = path.join(nativeDir, 'build');
const errorLog = path.join(buildDir, 'install-error.log');
const HINT = 'install a C++ toolchain and the libpcap headers (Debian/Ubuntu: apt-get install libpcap-dev g++ make python3), then run npm ci again';

/** npm's own node-gyp: npm names it to scripts; else look beside npm and node. */
function findNodeGyp() {
  const candidates = [];
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm) candidates.push(fromNpm);
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // Not installed as a package here: npm's bundled copy below.
  }
  const npmCli = process.env.npm_execpath;
  if (npmCli) {
    for (let dir = path.dirname(npmCli), i = 0; i < 3; i++, dir = path.dirname(dir)) {
      candidates.push(path.join(dir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
    }
  }
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => fs.existsSync(c));
}

function warn(reason, output) {
  try {
    fs.mkdirSync(buildDir, { recursive: true });
    fs.writeFileSync(errorLog, `${reason}\n\n${output ?? ''}`);
  } catch {
    // The warning line below is what matters.
  }
  process.stderr.write(`packetbeat: WARNING: native libpcap capture not built (${reason}): ${HINT}; live capture falls back to the "cap" package (details: ${errorLog})\n`);
}

function main() {
  if (process.env.PACKETBEAT_NATIVE_BUILD === '0') {
    process.stdout.write('packetbeat: native libpcap capture build skipped (PACKETBEAT_NATIVE_BUILD=0)\n');
    return;
  }
  const nodeGyp = findNodeGyp();
  if (nodeGyp === undefined) {
    warn('node-gyp not found');
    return;
  }
  const args = [nodeGyp, 'rebuild'];
  // Offline machines: use the headers installed with node rather than downloading them.
  const prefix = path.dirname(path.dirname(process.execPath));
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))) args.push(`--nodedir=${prefix}`);
  const result = spawnSync(process.execPath, args, {
    cwd: nativeDir,
    env: process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60 * 1000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error !== undefined || result.status !== 0) {
    const missingHeader = /pcap\.h: No such file|pcap\/pcap\.h.*not found|cannot find -lpcap/.test(output);
    const why = result.error !== undefined ? result.error.message : missingHeader ? 'libpcap headers missing' : `node-gyp exited with ${result.status ?? result.signal}`;
    warn(why, output);
    return;
  }
  fs.rmSync(errorLog, { force: true });
  process.stdout.write('packetbeat: native libpcap capture built\n');
}

try {
  main();
} catch (err) {
  warn(err instanceof Error ? err.message : String(err));
}
process.exitCode = 0;
