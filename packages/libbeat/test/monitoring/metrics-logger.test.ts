import { expect } from 'chai';
import type { LogFields, Logger } from '../../src/logging/logger.js';
import { LogManager } from '../../src/logging/log-manager.js';
import { defaultLoggingSettings } from '../../src/logging/settings.js';
import { MetricsRegistry } from '../../src/monitoring/metrics.js';
import { MetricsLogger } from '../../src/monitoring/metrics-logger.js';
import { formatDuration as formatGoDuration } from '../../src/config/duration.js';

interface Line {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

function recordingLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const make = (name: string): Logger => ({
    name,
    debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
    isDebugEnabled: () => true,
    named: (n) => make(`${name}.${n}`),
  });
  return { logger: make('monitoring'), lines };
}

function metricsOf(line: Line | undefined): unknown {
  const mon = line?.fields?.['monitoring'] as { metrics?: unknown } | undefined;
  return mon?.metrics;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('monitoring: MetricsLogger', () => {
  it('first line has totals since start, later lines non-zero counter deltas only', () => {
    const reg = new MetricsRegistry();
    const published = reg.counter('libbeat.pipeline.events.published');
    const failed = reg.counter('libbeat.pipeline.events.failed');
    const acked = reg.counter('libbeat.output.events.acked');
    const { logger, lines } = recordingLogger();
    const ml = new MetricsLogger({ registry: reg, logger, periodMs: 30_000 });

    published.inc(5);
    acked.inc(2);
    ml.tick();
    expect(lines[0]?.message).to.equal('Non-zero metrics in the last 30s');
    expect(lines[0]?.level).to.equal('info');
    expect(metricsOf(lines[0])).to.deep.equal({
      libbeat: { pipeline: { events: { published: 5 } }, output: { events: { acked: 2 } } },
    });

    published.inc(3);
    ml.tick();
    expect(metricsOf(lines[1])).to.deep.equal({ libbeat: { pipeline: { events: { published: 3 } } } });
    expect(failed.value).to.equal(0);

    ml.tick();
    expect(lines[2]?.message).to.equal('No non-zero metrics in the last 30s');
    expect(lines[2]?.fields).to.equal(undefined);
  });

  it('gauges are logged with their value, strings when they change', () => {
    const reg = new MetricsRegistry();
    const active = reg.gauge('libbeat.pipeline.events.active');
    const custom = reg.gauge('packetbeat.flows.open');
    let id = 'a';
    reg.func('beat.info.ephemeral_id', () => id);
    reg.func('beat.memstats.rss', () => 1000);
    const { logger, lines } = recordingLogger();
    const ml = new MetricsLogger({ registry: reg, logger, periodMs: 50, gauges: ['packetbeat.flows.*'] });

    active.set(7);
    custom.set(2);
    ml.tick();
    expect(metricsOf(lines[0])).to.deep.equal({
      beat: { info: { ephemeral_id: 'a' }, memstats: { rss: 1000 } },
      libbeat: { pipeline: { events: { active: 7 } } },
      packetbeat: { flows: { open: 2 } },
    });

    ml.tick();
    expect(metricsOf(lines[1])).to.deep.equal({
      beat: { memstats: { rss: 1000 } },
      libbeat: { pipeline: { events: { active: 7 } } },
      packetbeat: { flows: { open: 2 } },
    });

    id = 'b';
    active.set(0);
    custom.set(0);
    ml.tick();
    expect(metricsOf(lines[2])).to.deep.equal({ beat: { info: { ephemeral_id: 'b' }, memstats: { rss: 1000 } } });
  });

  it('runs on an unref\'d timer and logs Total metrics on stop()', async () => {
    const reg = new MetricsRegistry();
    const c = reg.counter('libbeat.output.write.bytes');
    reg.counter('libbeat.output.events.dropped');
    const { logger, lines } = recordingLogger();
    const ml = new MetricsLogger({ registry: reg, logger, periodMs: 50 });
    const waitForLines = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && lines.length < n; i++) await sleep(5);
    };
    c.inc(10);
    ml.start();
    expect(ml.running).to.equal(true);
    await waitForLines(1);
    c.inc(4);
    await waitForLines(2);
    ml.stop();
    expect(ml.running).to.equal(false);
    const periodic = lines.filter((l) => l.message.endsWith('in the last 50ms'));
    expect(periodic.length).to.be.at.least(2);
    expect(metricsOf(periodic[0])).to.deep.equal({ libbeat: { output: { write: { bytes: 10 } } } });
    expect(metricsOf(periodic[1])).to.deep.equal({ libbeat: { output: { write: { bytes: 4 } } } });
    const total = lines[lines.length - 1];
    expect(total?.message).to.equal('Total metrics');
    expect(metricsOf(total)).to.deep.equal({ libbeat: { output: { write: { bytes: 14 }, events: { dropped: 0 } } } });
    const count = lines.length;
    ml.stop();
    await sleep(60);
    expect(lines.length).to.equal(count);
  });

  it('writes the Beats line through a JSON LogManager', () => {
    const out: string[] = [];
    const settings = { ...defaultLoggingSettings('testbeat', '/none'), toStderr: true, toFiles: false };
    const m = new LogManager(settings, { stderrWrite: (l) => out.push(l), serviceName: 'testbeat' });
    const reg = new MetricsRegistry();
    reg.counter('libbeat.pipeline.events.total').inc(42);
    new MetricsLogger({ registry: reg, logger: m.logger('monitoring') }).tick();
    const doc = JSON.parse(out[0] ?? '') as Record<string, unknown>;
    expect(doc['log.logger']).to.equal('monitoring');
    expect(doc['message']).to.equal('Non-zero metrics in the last 30s');
    expect(doc['monitoring']).to.deep.equal({
      metrics: { libbeat: { pipeline: { events: { total: 42 } } } },
      'ecs.version': '1.6.0',
    });
  });

  it('rejects a non-positive period', () => {
    const { logger } = recordingLogger();
    expect(() => new MetricsLogger({ registry: new MetricsRegistry(), logger, periodMs: 0 })).to.throw(RangeError);
  });

  it('formats periods as Go durations', () => {
    expect(formatGoDuration(30_000)).to.equal('30s');
    expect(formatGoDuration(50)).to.equal('50ms');
    expect(formatGoDuration(1500)).to.equal('1.5s');
    expect(formatGoDuration(60_000)).to.equal('1m0s');
    expect(formatGoDuration(90_000)).to.equal('1m30s');
    expect(formatGoDuration(3_600_000)).to.equal('1h0m0s');
    expect(formatGoDuration(0)).to.equal('0s');
  });
});
