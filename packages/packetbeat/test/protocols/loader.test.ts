import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { BeatError, ErrorCodes, type ErrorCode, type Logger, type ProcessorContext } from '@packetbeat-ts/libbeat';
import { SDK_VERSION, defineProtocol, type ProtocolPlugin } from '@packetbeat-ts/protocol-sdk';
import { loadProtocols, resolveModule, type ProtocolLoadOptions } from '../../src/protocols/loader.js';
import { ProtocolRegistry } from '../../src/protocols/registry.js';

const silent: Logger = {
  name: 'test',
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isDebugEnabled: () => false,
  named: () => silent,
};

const processorContext: ProcessorContext = {
  beat: {
    beat: 'packetbeat',
    name: 'test',
    version: '0.1.0',
    id: '00000000-0000-0000-0000-000000000000',
    ephemeralId: '11111111-1111-1111-1111-111111111111',
    hostname: 'test',
    startTime: new Date(0),
  },
  logger: silent,
};

function plugin(name: string, extra: Partial<Parameters<typeof defineProtocol>[0]> = {}): ProtocolPlugin {
  return defineProtocol({
    name,
    sdkVersion: '^1.0.0',
    transports: ['tcp'],
    defaultPorts: [80, 8080],
    create: () => ({}),
    ...extra,
  });
}

const httpLike = plugin('http', {
  configSchema: {
    send_headers: { doc: 'Headers to send', format: 'bool', default: false },
    max_message_size: { doc: 'Largest message', format: 'positive-int', default: 10485760 },
    transaction_timeout: { default: '30s' },
  },
});
const dnsLike = plugin('dns', { transports: ['udp', 'tcp'], defaultPorts: [53] });

/** Where the fake plugin packages live: a temp "path.home" with its own node_modules. */
let home: string;

const BRAND = "Symbol.for('packetbeat-ts.protocol-plugin')";
function esmPlugin(name: string, fields = ''): string {
  return `export default { name: '${name}', sdkVersion: '^1.0.0', transports: ['tcp'], defaultPorts: [7], create() { return {}; }, ${fields} [${BRAND}]: true };\n`;
}

function writePackage(name: string, files: Record<string, string>, manifest: Record<string, unknown> = {}): void {
  const dir = path.join(home, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', ...manifest }));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
}

function opts(extra: Partial<ProtocolLoadOptions> = {}): ProtocolLoadOptions {
  return { processorContext, registry: new ProtocolRegistry([httpLike, dnsLike]), home, extraResolveDirs: [], ...extra };
}

async function loadError(items: unknown, options: ProtocolLoadOptions = opts()): Promise<BeatError> {
  try {
    await loadProtocols(items, options);
  } catch (err) {
    expect(err).to.be.instanceOf(BeatError);
    return err as BeatError;
  }
  throw new Error('expected loadProtocols to fail');
}

async function expectFailure(items: unknown, code: ErrorCode, key: string, ...patterns: RegExp[]): Promise<BeatError> {
  const err = await loadError(items);
  expect(err.code, err.message).to.equal(code);
  expect(err.key, err.message).to.equal(key);
  for (const p of patterns) expect(err.message).to.match(p);
  return err;
}

describe('packetbeat: protocol loader', () => {
  before(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'pb-protocols-'));
    // The naming convention, ESM, hand-branded (the brand is a registered symbol).
    writePackage('packetbeat-protocol-echo', { 'index.js': esmPlugin('echo', "configSchema: { greeting: { doc: 'x', format: 'string', default: 'hi' } },") });
    // Named by `package:`, exporting `protocol` from CommonJS.
    writePackage(
      'my-mqtt',
      { 'index.cjs': `exports.protocol = { name: 'mqtt', sdkVersion: '1.x', transports: ['tcp'], defaultPorts: [1883], create() { return {}; }, [${BRAND}]: true };\n` },
      { type: 'commonjs', main: 'index.cjs' },
    );
    // ESM-only: exports only an `import` condition, which require.resolve refuses.
    writePackage('esm-only-proto', { 'lib.js': esmPlugin('esmonly') }, { main: undefined, exports: { '.': { import: './lib.js' } } });
    // Built on the real SDK, linked into the temp node_modules.
    const sdkEntry = createRequire(import.meta.url).resolve('@packetbeat-ts/protocol-sdk'); // <sdk>/dist/src/index.js
    const sdkDir = path.resolve(path.dirname(sdkEntry), '../..');
    mkdirSync(path.join(home, 'node_modules', '@packetbeat-ts'), { recursive: true });
    symlinkSync(sdkDir, path.join(home, 'node_modules', '@packetbeat-ts', 'protocol-sdk'), 'dir');
    writePackage('packetbeat-protocol-line', {
      'index.js':
        "import { defineProtocol } from '@packetbeat-ts/protocol-sdk';\n" +
        "export default defineProtocol({ name: 'line', sdkVersion: '^1.0.0', transports: ['tcp', 'udp'], defaultPorts: [4000], create: () => ({}) });\n",
    });
    // Failures.
    writePackage('not-a-plugin', { 'index.js': 'export default function hello() { return 1; }\n' });
    writePackage('unbranded', { 'index.js': "export default { name: 'unbranded', sdkVersion: '^1.0.0', transports: ['tcp'], defaultPorts: [7], create() { return {}; } };\n" });
    writePackage('misnamed', { 'index.js': esmPlugin('other') });
    writePackage('future-sdk', { 'index.js': esmPlugin('future').replace("'^1.0.0'", "'^2.0.0'") });
    writePackage('bad-range', { 'index.js': esmPlugin('badrange').replace("'^1.0.0'", "'one point oh'") });
    writePackage('no-transports', { 'index.js': esmPlugin('notransports').replace("['tcp']", '[]') });
    writePackage('broken', { 'index.js': 'export default {;\n' });
    writePackage('packetbeat-protocol-strict', {
      'index.js': esmPlugin('strict', "configSchema: { max_docs: { doc: 'x', format: 'positive-int', default: 10 } },"),
    });
  });

  after(() => {
    rmSync(home, { recursive: true, force: true });
  });

  describe('success', () => {
    it('loads a built-in protocol with Packetbeat’s defaults and the plugin’s own', async () => {
      const { protocols, warnings } = await loadProtocols([{ type: 'http' }], opts());
      expect(warnings).to.deep.equal([]);
      expect(protocols).to.have.length(1);
      const [p] = protocols;
      expect(p?.plugin).to.equal(httpLike);
      expect(p?.source).to.equal('builtin');
      expect(p?.module).to.equal(undefined);
      expect(p?.index).to.equal(0);
      expect(p?.ports).to.deep.equal([80, 8080]);
      expect(p?.transports).to.deep.equal(['tcp']);
      expect(p?.processors).to.deep.equal([]);
      expect(p?.config).to.deep.equal({
        enabled: true,
        ports: [80, 8080],
        send_request: false,
        send_response: false,
        transaction_timeout: 30_000, // the plugin's default for a common option
        fields: {},
        fields_under_root: false,
        tags: [],
        processors: [],
        index: '',
        keep_null: false,
        send_headers: false,
        max_message_size: 10485760,
      });
    });

    it('takes the common options and the plugin’s options from the item', async () => {
      const { protocols } = await loadProtocols(
        [
          {
            type: 'http',
            ports: [8000, '8001', 8000],
            send_request: true,
            send_response: 'yes',
            transaction_timeout: '1m',
            fields: { env: { name: 'staging' }, team: 'net' },
            fields_under_root: true,
            tags: ['web'],
            processors: [{ add_tags: { tags: ['x'] } }],
            index: 'http-%{+yyyy}',
            keep_null: true,
            send_headers: true,
            max_message_size: '1024',
          },
          { type: 'dns', ports: 5353, transaction_timeout: 2, tags: 'a, b' },
        ],
        opts(),
      );
      const [http, dns] = protocols;
      expect(http?.config).to.include({ send_request: true, send_response: true, transaction_timeout: 60_000, fields_under_root: true });
      expect(http?.config).to.include({ index: 'http-%{+yyyy}', keep_null: true, send_headers: true, max_message_size: 1024 });
      expect(http?.ports).to.deep.equal([8000, 8001]);
      expect(http?.config.fields).to.deep.equal({ env: { name: 'staging' }, team: 'net' });
      expect(http?.config.tags).to.deep.equal(['web']);
      expect(dns?.config.tags).to.deep.equal(['a', 'b']); // a comma-separated string, as from ${VAR}
      expect(http?.processors.map((p) => p.name)).to.deep.equal(['add_tags']);
      expect(dns?.index).to.equal(1);
      expect(dns?.ports).to.deep.equal([5353]);
      expect(dns?.transports).to.deep.equal(['udp', 'tcp']);
      expect(dns?.config.transaction_timeout).to.equal(2000);
    });

    it('resolves a third-party package by the naming convention packetbeat-protocol-<type>', async () => {
      const { protocols } = await loadProtocols([{ type: 'echo', greeting: 'hello' }], opts());
      const [echo] = protocols;
      expect(echo?.source).to.equal('convention');
      expect(echo?.module?.specifier).to.equal('packetbeat-protocol-echo');
      expect(echo?.module?.file).to.equal(path.join(home, 'node_modules', 'packetbeat-protocol-echo', 'index.js'));
      expect(echo?.plugin.name).to.equal('echo');
      expect(echo?.ports).to.deep.equal([7]);
      expect(echo?.config['greeting']).to.equal('hello');
    });

    it('resolves the package named by package: (a CommonJS module exporting `protocol`)', async () => {
      const { protocols } = await loadProtocols([{ type: 'mqtt', package: 'my-mqtt', ports: [1883, 8883] }], opts());
      const [mqtt] = protocols;
      expect(mqtt?.source).to.equal('package');
      expect(mqtt?.module?.specifier).to.equal('my-mqtt');
      expect(mqtt?.plugin.name).to.equal('mqtt');
      expect(mqtt?.ports).to.deep.equal([1883, 8883]);
      expect(mqtt?.config).to.not.have.property('package');
      expect(mqtt?.config).to.not.have.property('type');
    });

    it('package: wins over a built-in of the same name, and may be a path relative to path.home', async () => {
      writeFileSync(path.join(home, 'local-http.mjs'), esmPlugin('http'));
      const { protocols } = await loadProtocols([{ type: 'http', package: './local-http.mjs' }], opts());
      expect(protocols[0]?.source).to.equal('package');
      expect(protocols[0]?.plugin).to.not.equal(httpLike);
      expect(protocols[0]?.module?.file).to.equal(path.join(home, 'local-http.mjs'));
    });

    it('resolves an ESM-only package (exports with only an import condition)', async () => {
      expect(resolveModule('esm-only-proto', [home])).to.equal(path.join(home, 'node_modules', 'esm-only-proto', 'lib.js'));
      const { protocols } = await loadProtocols([{ type: 'esmonly', package: 'esm-only-proto' }], opts());
      expect(protocols[0]?.plugin.name).to.equal('esmonly');
    });

    it('loads a plugin built with the real SDK’s defineProtocol()', async () => {
      const { protocols } = await loadProtocols([{ type: 'line' }], opts());
      expect(protocols[0]?.plugin.sdkVersion).to.equal('^1.0.0');
      expect(protocols[0]?.transports).to.deep.equal(['tcp', 'udp']);
      expect(SDK_VERSION).to.equal('1.0.0');
    });

    it('skips disabled items without resolving them', async () => {
      const { protocols } = await loadProtocols(
        [
          { type: 'nosuchproto', enabled: false },
          { type: 'http', enabled: 'false', ports: [53] },
          { type: 'dns', enabled: true },
          { type: 'dns', enabled: false },
        ],
        opts(),
      );
      expect(protocols.map((p) => [p.plugin.name, p.index])).to.deep.equal([['dns', 2]]);
    });

    it('warns about unknown settings, naming them', async () => {
      const { protocols, warnings } = await loadProtocols([{ type: 'http', send_header: true, max_docs: 3 }], opts({ originOf: () => 'pb.yml' }));
      expect(protocols).to.have.length(1);
      expect(warnings).to.deep.equal([
        { key: 'packetbeat.protocols.0.send_header', origin: 'pb.yml', message: 'unknown setting packetbeat.protocols.0.send_header for protocol http (ignored)' },
        { key: 'packetbeat.protocols.0.max_docs', origin: 'pb.yml', message: 'unknown setting packetbeat.protocols.0.max_docs for protocol http (ignored)' },
      ]);
    });

    it('accepts a missing or empty list, and the same port on different transports', async () => {
      expect((await loadProtocols(undefined, opts())).protocols).to.deep.equal([]);
      expect((await loadProtocols([], opts())).protocols).to.deep.equal([]);
      const udpOnly = plugin('syslog', { transports: ['udp'], defaultPorts: [514] });
      const tcpOnly = plugin('rsh', { transports: ['tcp'], defaultPorts: [514] });
      const { protocols } = await loadProtocols([{ type: 'syslog' }, { type: 'rsh' }], opts({ registry: new ProtocolRegistry([udpOnly, tcpOnly]) }));
      expect(protocols).to.have.length(2);
    });
  });

  describe('failures', () => {
    it('an unknown type: not built in, no conventional package', async () => {
      await expectFailure(
        [{ type: 'http' }, { type: 'gopher' }],
        ErrorCodes.PLUGIN_NOT_FOUND,
        'packetbeat.protocols.1.type',
        /^packetbeat\.protocols\.1\.type: unknown protocol type "gopher"/,
        /built-in: dns, http/,
        /no package "packetbeat-protocol-gopher" was found/,
        new RegExp(`resolved from ${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        /package:/,
      );
    });

    it('a package: that is not installed', async () => {
      await expectFailure(
        [{ type: 'mqtt', package: 'no-such-mqtt' }],
        ErrorCodes.PLUGIN_NOT_FOUND,
        'packetbeat.protocols.0.package',
        /protocol "mqtt": package "no-such-mqtt" not found/,
        /npm install no-such-mqtt/,
      );
    });

    it('a module that does not export a plugin', async () => {
      await expectFailure(
        [{ type: 'hello', package: 'not-a-plugin' }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.0',
        /protocol "hello": package "not-a-plugin" does not export a protocol made with defineProtocol\(\)/,
      );
    });

    it('a plugin-shaped export without the SDK brand', async () => {
      await expectFailure(
        [{ type: 'unbranded', package: 'unbranded' }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.0',
        /package "unbranded" does not export a protocol made with defineProtocol\(\)/,
      );
    });

    it('a plugin whose name is not the type', async () => {
      await expectFailure(
        [{ type: 'mine', package: 'misnamed' }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.0',
        /protocol "mine": package "misnamed" provides protocol "other", not "mine"/,
      );
    });

    it('a plugin built for another SDK version, giving both versions', async () => {
      await expectFailure(
        [{ type: 'future', package: 'future-sdk' }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.0',
        /package "future-sdk" needs protocol SDK \^2\.0\.0, but this Packetbeat provides SDK 1\.0\.0/,
      );
    });

    it('a plugin whose sdkVersion is not a semver range', async () => {
      await expectFailure(
        [{ type: 'badrange', package: 'bad-range' }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.0',
        /declares sdkVersion "one point oh", which is not a semver range/,
      );
    });

    it('a plugin with no transports', async () => {
      await expectFailure([{ type: 'notransports', package: 'no-transports' }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0', /declares no transports/);
    });

    it('a module that fails to load', async () => {
      const err = await expectFailure(
        [{ type: 'broken', package: 'broken' }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.0',
        /protocol "broken": could not load "broken" \(.*index\.js\): /,
      );
      expect(err.cause).to.be.instanceOf(SyntaxError);
    });

    it('a bad common option, naming packetbeat.protocols.<i>.<key> and the reason', async () => {
      await expectFailure(
        [{ type: 'dns' }, { type: 'http', send_request: 'maybe' }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.1.send_request',
        /^packetbeat\.protocols\.1\.send_request: must be a boolean/,
        /maybe/,
      );
      await expectFailure([{ type: 'http', ports: [80, 0] }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0.ports', /ports: must be a list of port numbers \(1-65535\)/);
      await expectFailure([{ type: 'http', ports: 'eighty' }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0.ports', /must be a list of port numbers/);
      await expectFailure([{ type: 'http', transaction_timeout: 'soon' }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0.transaction_timeout', /must be a positive duration/);
      await expectFailure([{ type: 'http', tags: [1] }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0.tags', /must be a list of strings/);
      await expectFailure([{ type: 'http', fields: ['a'] }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0.fields', /must be a map/);
    });

    it('a bad plugin option, checked by the plugin’s schema', async () => {
      await expectFailure(
        [{ type: 'strict', max_docs: -1 }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.0.max_docs',
        /^packetbeat\.protocols\.0\.max_docs: must be a positive integer/,
      );
      await expectFailure([{ type: 'http', send_headers: 'sure' }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0.send_headers', /must be a boolean/);
    });

    it('a bad processor, named by its place in the protocol’s processors', async () => {
      const err = await loadError([{ type: 'http', processors: [{ no_such_processor: {} }] }]);
      expect(err.code).to.equal(ErrorCodes.PROCESSOR_UNKNOWN);
      expect(err.message).to.match(/^packetbeat\.protocols\.0\.processors\.0: the processor action "no_such_processor" does not exist/);
    });

    it('two protocols on the same port and transport, naming both and the port', async () => {
      await expectFailure(
        [{ type: 'http', ports: [80, 53] }, { type: 'dns' }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.1.ports',
        /port 53\/tcp is used by both http \(packetbeat\.protocols\.0\) and dns \(packetbeat\.protocols\.1\)/,
      );
      // A default port collides as well.
      await expectFailure(
        [{ type: 'http' }, { type: 'echo', ports: [8080] }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.1.ports',
        /port 8080\/tcp is used by both http .* and echo/,
      );
    });

    it('the same type twice', async () => {
      await expectFailure(
        [{ type: 'http', ports: [80] }, { type: 'dns' }, { type: 'http', ports: [8080] }],
        ErrorCodes.CONFIG_INVALID,
        'packetbeat.protocols.2',
        /protocol "http" is configured twice \(also at packetbeat\.protocols\.0\)/,
      );
    });

    it('items that are not maps or have no type, and a list that is not a list', async () => {
      await expectFailure(['http'], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0', /must be a map with a type/);
      await expectFailure([{ ports: [80] }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0.type', /each protocol needs a type/);
      await expectFailure({ http: { ports: [80] } }, ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols', /must be a list of protocols/);
      await expectFailure([{ type: 'x', package: 42 }], ErrorCodes.CONFIG_INVALID, 'packetbeat.protocols.0.package', /must be a package name or a path/);
    });

    it('prefixes messages with where the value came from, when known', async () => {
      const err = await loadError([{ type: 'http', keep_null: 3 }], opts({ originOf: () => '/etc/packetbeat.yml' }));
      expect(err.message).to.match(/^\/etc\/packetbeat\.yml: packetbeat\.protocols\.0\.keep_null: must be a boolean/);
      expect(err.file).to.equal('/etc/packetbeat.yml');
    });
  });

  describe('ProtocolRegistry', () => {
    it('registers, lists and refuses duplicates and unbranded values', () => {
      const r = new ProtocolRegistry();
      r.register(httpLike).register(dnsLike);
      expect(r.names()).to.deep.equal(['dns', 'http']);
      expect(r.get('http')).to.equal(httpLike);
      expect(r.has('redis')).to.be.false;
      expect(() => r.register(plugin('http'))).to.throw(/already registered/);
      expect(() => new ProtocolRegistry().register({ name: 'x' } as unknown as ProtocolPlugin)).to.throw(/defineProtocol/);
    });
  });
});
