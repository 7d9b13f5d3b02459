import { expect } from 'chai';
import { appendErrorMessage } from '../../src/processors/error-message.js';
import { deepUpdateEvent, deleteEventValue, getEventValue, hasEventValue, putEventValue } from '../../src/processors/event-fields.js';
import { ev, T0 } from './helpers.js';

describe('processors: event field access', () => {
  it('maps @timestamp to event.timestamp', () => {
    const e = ev();
    expect(getEventValue(e, '@timestamp')).to.equal(T0);
    expect(hasEventValue(e, '@timestamp')).to.equal(true);
    const later = new Date('2025-01-01T00:00:00Z');
    putEventValue(e, '@timestamp', later);
    expect(e.timestamp).to.equal(later);
    expect(() => putEventValue(e, '@timestamp', '2025-01-01')).to.throw(/must be a date/);
    expect(() => deleteEventValue(e, '@timestamp')).to.throw(/cannot be deleted/);
    expect(e.fields).to.deep.equal({});
  });

  it('maps @metadata paths to event.meta, creating it when needed', () => {
    const e = ev({ a: 1 });
    expect(hasEventValue(e, '@metadata')).to.equal(false);
    expect(getEventValue(e, '@metadata.x')).to.equal(undefined);
    putEventValue(e, '@metadata.pipeline.name', 'p');
    expect(e.meta).to.deep.equal({ pipeline: { name: 'p' } });
    expect(getEventValue(e, '@metadata.pipeline.name')).to.equal('p');
    expect(deleteEventValue(e, '@metadata.pipeline.name')).to.equal(true);
    expect(deleteEventValue(e, '@metadata.nope')).to.equal(false);
    expect(deleteEventValue(e, '@metadata')).to.equal(true);
    expect(e.meta).to.equal(undefined);
    expect(e.fields).to.deep.equal({ a: 1 });
  });

  it('reads other paths from fields, literal dotted keys included', () => {
    const e = ev({ a: { b: 1 }, 'c.d': 2 });
    expect(getEventValue(e, 'a.b')).to.equal(1);
    expect(getEventValue(e, 'c.d')).to.equal(2);
    expect(hasEventValue(e, 'a.x')).to.equal(false);
  });

  it('deep-updates fields, @metadata and @timestamp', () => {
    const e = ev({ a: { b: 1 } }, { m: 1 });
    const ts = new Date(0);
    deepUpdateEvent(e, { a: { c: 2 }, '@metadata': { n: 2 }, '@timestamp': ts });
    expect(e.fields).to.deep.equal({ a: { b: 1, c: 2 } });
    expect(e.meta).to.deep.equal({ m: 1, n: 2 });
    expect(e.timestamp).to.equal(ts);
    deepUpdateEvent(e, { a: { b: 9, d: 3 } }, false);
    expect(e.fields).to.deep.equal({ a: { b: 1, c: 2, d: 3 } });
  });

  it('appends error messages without repeating them', () => {
    const e = ev();
    appendErrorMessage(e, 'one');
    expect(e.fields).to.deep.equal({ error: { message: 'one' } });
    appendErrorMessage(e, 'one');
    expect(e.fields).to.deep.equal({ error: { message: 'one' } });
    appendErrorMessage(e, 'two');
    appendErrorMessage(e, 'three');
    appendErrorMessage(e, 'two');
    expect(e.fields).to.deep.equal({ error: { message: ['one', 'two', 'three'] } });
  });
});
