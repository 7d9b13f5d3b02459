import { expect } from 'chai';
import { MetricsRegistry } from '../../src/monitoring/metrics.js';

describe('metrics registry', () => {
  it('nests dotted names in snapshots and reads funcs when scraped', () => {
    const registry = new MetricsRegistry();
    registry.counter('libbeat.pipeline.events.total').inc(3);
    registry.gauge('libbeat.pipeline.queue.filled.events').set(7);
    let calls = 0;
    registry.func('beat.info.uptime.ms', () => ++calls);
    expect(registry.snapshot()).to.deep.equal({
      libbeat: { pipeline: { events: { total: 3 }, queue: { filled: { events: 7 } } } },
      beat: { info: { uptime: { ms: 1 } } },
    });
    expect(registry.snapshot('libbeat.pipeline.events')).to.deep.equal({ libbeat: { pipeline: { events: { total: 3 } } } });
  });

  it('gives scoped views that write into the same registry', () => {
    const registry = new MetricsRegistry();
    const output = registry.scope('libbeat.output');
    output.counter('write.bytes').inc(100);
    output.counter('write.bytes').inc(5);
    expect(registry.flat().get('libbeat.output.write.bytes')).to.equal(105);
    expect([...output.flat()]).to.deep.equal([['write.bytes', 105]]);
    expect(output.scope('write').counter('errors')).to.equal(registry.counter('libbeat.output.write.errors'));
    registry.counter('libbeat.pipeline.events.total').inc();
    expect(output.snapshot()).to.deep.equal({ write: { bytes: 105, errors: 0 } });
    output.remove('write');
    expect(registry.flat().has('libbeat.output.write.bytes')).to.equal(false);
    expect(registry.flat().get('libbeat.pipeline.events.total')).to.equal(1);
  });
});
