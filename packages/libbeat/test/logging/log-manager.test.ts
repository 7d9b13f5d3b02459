import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { formatJson, formatText, safeStringify } from '../../src/logging/format.js';
import { LogManager } from '../../src/logging/log-manager.js';
import { SelectorSet } from '../../src/logging/selectors.js';
import {
  applyLoggingFlags,
  bootstrapLoggingSettings,
  defaultLoggingSettings,
  parseLogLevel,
  type LoggingSettings,
} from '../../src/logging/settings.js';

const FIXED = new Date('2026-11-23T22:38:14.123Z');

function stderrSettings(patch: Partial<LoggingSettings> = {}): LoggingSettings {
  return { ...defaultLoggingSettings('testbeat', '/nonexistent'), toStderr: true, toFiles: false, json: false, ...patch };
}

function capture(settings: LoggingSettings = stderrSettings(), serviceName?: string): { m: LogManager; lines: string[] } {
  const lines: string[] = [];
  const m = new LogManager(settings, {
    stderrWrite: (l) => lines.push(l),
    now: () => FIXED,
    ...(serviceName === undefined ? {} : { serviceName }),
  });
  return { m, lines };
}

describe('logging: LogManager', () => {
  describe('levels', () => {
    it('bootstrap settings write info and above as text to stderr, no debug', () => {
      const { m, lines } = capture(bootstrapLoggingSettings());
      const l = m.logger('beat');
      l.debug('d');
      l.info('i');
      l.warn('w');
      l.error('e');
      expect(lines.map((x) => x.split('\t')[1])).to.deep.equal(['INFO', 'WARN', 'ERROR']);
    });

    it('drops lines below the configured level', () => {
      const { m, lines } = capture(stderrSettings({ level: 'warning' }));
      const l = m.logger('x');
      l.debug('d');
      l.info('i');
      l.warn('w');
      l.error('e');
      l.critical('c');
      expect(lines.map((x) => x.trimEnd().split('\t')[3])).to.deep.equal(['w', 'e', 'c']);
    });

    it('level critical keeps only critical lines', () => {
      const { m, lines } = capture(stderrSettings({ level: 'critical' }));
      m.logger('x').error('e');
      m.logger('x').critical('c');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.contain('\tCRITICAL\t');
    });

    it('isEnabled follows the level', () => {
      const { m } = capture(stderrSettings({ level: 'error' }));
      expect(m.isEnabled('warning')).to.equal(false);
      expect(m.isEnabled('error')).to.equal(true);
    });
  });

  describe('debug selectors', () => {
    it('`*` enables debug for every logger at level debug', () => {
      const { m, lines } = capture(stderrSettings({ level: 'debug', selectors: ['*'] }));
      m.logger('a').debug('one');
      m.logger('b.c').debug('two');
      expect(lines).to.have.length(2);
    });

    it('an empty selector list at level debug enables all', () => {
      const { m } = capture(stderrSettings({ level: 'debug', selectors: [] }));
      expect(m.logger('anything').isDebugEnabled()).to.equal(true);
    });

    it('selectors do nothing unless the level is debug', () => {
      const { m, lines } = capture(stderrSettings({ level: 'info', selectors: ['*'] }));
      expect(m.logger('a').isDebugEnabled()).to.equal(false);
      m.logger('a').debug('no');
      expect(lines).to.have.length(0);
    });

    it('a selector matches its exact name and dotted sub-loggers only', () => {
      const { m, lines } = capture(stderrSettings({ level: 'debug', selectors: ['publisher', 'tcp'] }));
      m.logger('publisher').debug('exact');
      m.logger('publisher.queue').debug('prefix');
      m.logger('publisherx').debug('no1');
      m.logger('pub').debug('no2');
      m.logger('http').debug('no3');
      m.logger('tcp').info('info always');
      expect(lines.map((x) => x.trimEnd().split('\t')[3])).to.deep.equal(['exact', 'prefix', 'info always']);
    });

    it('loggers made before configure() follow the new selectors', () => {
      const { m, lines } = capture(stderrSettings());
      const l = m.logger('publisher');
      const named = l.named('queue');
      expect(l.isDebugEnabled()).to.equal(false);
      m.configure(stderrSettings({ level: 'debug', selectors: ['publisher'] }));
      expect(l.isDebugEnabled()).to.equal(true);
      named.debug('q');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.contain('[publisher.queue]');
    });

    it('SelectorSet matching', () => {
      const s = new SelectorSet(['a.b', ' c ']);
      expect(s.matches('a.b')).to.equal(true);
      expect(s.matches('a.b.c.d')).to.equal(true);
      expect(s.matches('a')).to.equal(false);
      expect(s.matches('a.bc')).to.equal(false);
      expect(s.matches('c')).to.equal(true);
      expect(new SelectorSet(['x', '*']).matches('y')).to.equal(true);
    });
  });

  describe('formats', () => {
    it('text: timestamp, level, [logger], message, fields as JSON, tab-separated', () => {
      const { m, lines } = capture();
      m.logger('publisher').info('message', { k: 'v' });
      m.logger('publisher').warn('no fields');
      expect(lines[0]).to.equal('2026-11-23T22:38:14.123Z\tINFO\t[publisher]\tmessage\t{"k":"v"}\n');
      expect(lines[1]).to.equal('2026-11-23T22:38:14.123Z\tWARN\t[publisher]\tno fields\n');
    });

    it('json: ECS fields, service.name, extra fields at top level', () => {
      const { m, lines } = capture(stderrSettings({ json: true }), 'packetbeat');
      m.logger('publisher').error('boom', { 'event.count': 3, nested: { a: 1 } });
      expect(lines[0]?.endsWith('\n')).to.equal(true);
      const doc = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
      expect(doc).to.deep.equal({
        'log.level': 'error',
        '@timestamp': '2026-11-23T22:38:14.123Z',
        'log.logger': 'publisher',
        message: 'boom',
        'service.name': 'packetbeat',
        'event.count': 3,
        nested: { a: 1 },
        'ecs.version': '1.6.0',
      });
      expect(Object.keys(doc).slice(0, 4)).to.deep.equal(['log.level', '@timestamp', 'log.logger', 'message']);
    });

    it('json: fields cannot overwrite the level, time, logger or message', () => {
      const line = formatJson(
        { time: FIXED, level: 'warning', logger: 'l', message: 'real', fields: { message: 'fake', 'log.level': 'x' } },
        undefined,
      );
      const doc = JSON.parse(line) as Record<string, unknown>;
      expect(doc['message']).to.equal('real');
      expect(doc['log.level']).to.equal('warn');
      expect(doc).to.not.have.property('service.name');
    });

    it('errors, bigints and cycles in fields do not throw', () => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic['self'] = cyclic;
      const { m, lines } = capture();
      m.logger('x').info('e', { error: new Error('bad thing'), n: 10n, cyclic });
      expect(lines).to.have.length(1);
      expect(lines[0]).to.contain('"error":"bad thing"');
      expect(lines[0]).to.contain('"n":"10"');
      expect(lines[0]).to.contain('[Circular]');
      expect(safeStringify(undefined)).to.equal('null');
    });

    it('text without a logger name has no [name] column', () => {
      expect(formatText({ time: FIXED, level: 'info', logger: '', message: 'm', fields: {} })).to.equal(
        '2026-11-23T22:38:14.123Z\tINFO\tm\n',
      );
    });
  });

  describe('loggers', () => {
    it('hands out one logger per name; named() appends with a dot', () => {
      const { m } = capture();
      expect(m.logger('a')).to.equal(m.logger('a'));
      expect(m.logger('a').named('b').name).to.equal('a.b');
      expect(m.logger('a').named('b')).to.equal(m.logger('a.b'));
    });
  });

  describe('failures', () => {
    it('a throwing output is counted, never raised', () => {
      const m = new LogManager(stderrSettings(), {
        stderrWrite: () => {
          throw new Error('EPIPE');
        },
      });
      expect(() => m.logger('x').info('a')).to.not.throw();
      expect(() => m.logger('x').error('b')).to.not.throw();
      expect(m.writeErrors).to.equal(2);
    });

    it('a log file that cannot be created is counted and told once on stderr', () => {
      const dir = mkdtempSync(join(tmpdir(), 'logmgr-'));
      try {
        const blocker = join(dir, 'not-a-dir');
        writeFileSync(blocker, 'x');
        const settings = defaultLoggingSettings('testbeat', join(blocker, 'logs'));
        const { m, lines } = capture(settings);
        expect(() => {
          m.logger('x').info('one');
          m.logger('x').info('two');
        }).to.not.throw();
        expect(m.writeErrors).to.equal(2);
        expect(lines).to.have.length(1);
        expect(lines[0]).to.match(/cannot write log to .*not-a-dir/);
        m.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('after close() lines are dropped', () => {
      const { m, lines } = capture();
      m.close();
      m.logger('x').error('late');
      m.configure(stderrSettings());
      m.logger('x').error('later');
      expect(lines).to.have.length(0);
    });

    it('neither output: nothing is written', () => {
      const { m, lines } = capture(stderrSettings({ toStderr: false, toFiles: false }));
      m.logger('x').error('e');
      expect(lines).to.have.length(0);
      expect(m.writeErrors).to.equal(0);
    });
  });

  describe('settings', () => {
    it('Beats defaults', () => {
      const s = defaultLoggingSettings('packetbeat', '/var/log/packetbeat');
      expect(s.level).to.equal('info');
      expect(s.toFiles).to.equal(true);
      expect(s.toStderr).to.equal(false);
      expect(s.files).to.deep.equal({
        path: '/var/log/packetbeat',
        name: 'packetbeat',
        keepfiles: 7,
        permissions: 0o600,
        rotateeverybytes: 10485760,
        rotateonstartup: true,
      });
      expect(s.metrics).to.deep.equal({ enabled: true, period: 30000 });
    });

    it('-e logs to stderr and not to files; -d sets selectors and level debug', () => {
      const base = defaultLoggingSettings('packetbeat', '/logs');
      const s = applyLoggingFlags(base, { stderr: true, debugSelectors: ['publisher,tcp', 'http'] });
      expect(s.toStderr).to.equal(true);
      expect(s.toFiles).to.equal(false);
      expect(s.level).to.equal('debug');
      expect(s.selectors).to.deep.equal(['publisher', 'tcp', 'http']);
      expect(base.toFiles).to.equal(true);
      expect(applyLoggingFlags(base, {}).level).to.equal('info');
    });

    it('parses level names', () => {
      expect(parseLogLevel('WARN')).to.equal('warning');
      expect(parseLogLevel('warning')).to.equal('warning');
      expect(parseLogLevel('critical')).to.equal('critical');
      expect(parseLogLevel('trace')).to.equal(undefined);
    });
  });
});
