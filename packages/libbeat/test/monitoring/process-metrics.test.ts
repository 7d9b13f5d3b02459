import { expect } from 'chai';
import type { BeatInfo } from '../../src/beat/info.js';
import { MetricsRegistry } from '../../src/monitoring/metrics.js';
import { registerProcessMetrics } from '../../src/monitoring/process-metrics.js';

const info: BeatInfo = {
  beat: 'testbeat',
  name: 'host-a',
  version: '9.9.9',
  id: '11111111-2222-3333-4444-555555555555',
  ephemeralId: 'eph-1',
  hostname: 'host-a',
  startTime: new Date(Date.now() - 1500),
};

describe('monitoring: process metrics', () => {
  it('registers beat.* and system.* metrics read when scraped', () => {
    const reg = new MetricsRegistry();
    registerProcessMetrics(reg, info);
    const s = reg.snapshot() as {
      beat: {
        info: Record<string, unknown>;
        memstats: Record<string, unknown>;
        cpu: Record<string, { ticks: number; time: { ms: number } }>;
        runtime: { goroutines: number };
        handles?: { open: number };
      };
      system: { load: Record<string, unknown>; cpu: { cores: number } };
    };
    expect(s.beat.info['ephemeral_id']).to.equal('eph-1');
    expect(s.beat.info['name']).to.equal('host-a');
    expect(s.beat.info['version']).to.equal('9.9.9');
    expect((s.beat.info['uptime'] as { ms: number }).ms).to.be.at.least(1500);
    for (const k of ['memory_total', 'memory_alloc', 'memory_sys', 'rss', 'gc_next']) {
      expect(s.beat.memstats[k], k).to.be.a('number').and.greaterThan(0);
    }
    for (const k of ['user', 'system', 'total']) {
      expect(s.beat.cpu[k]?.ticks, k).to.be.a('number').at.least(0);
      expect(s.beat.cpu[k]?.time.ms, k).to.be.a('number').at.least(0);
    }
    expect(s.beat.runtime.goroutines).to.be.a('number');
    if (process.platform === 'linux') expect(s.beat.handles?.open).to.be.a('number').greaterThan(2);
    expect(s.system.cpu.cores).to.be.a('number').at.least(1);
    expect(s.system.load['1']).to.be.a('number');
    expect(s.system.load['15']).to.be.a('number');
  });

  it('values change between scrapes and can be removed', async () => {
    const reg = new MetricsRegistry();
    const unregister = registerProcessMetrics(reg, info);
    const before = reg.flat().get('beat.info.uptime.ms') as number;
    await new Promise((r) => setTimeout(r, 20));
    expect(reg.flat().get('beat.info.uptime.ms')).to.be.greaterThan(before);
    reg.counter('libbeat.pipeline.events.total');
    unregister();
    expect([...reg.flat().keys()]).to.deep.equal(['libbeat.pipeline.events.total']);
  });
});
