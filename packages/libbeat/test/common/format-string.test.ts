import { expect } from 'chai';
import { compileDatePattern, compileFormatString, FormatFieldError } from '../../src/common/format-string.js';
import { isBeatError } from '../../src/errors.js';
import type { BeatEvent, EventFields } from '../../src/event.js';

const TS = new Date(Date.UTC(2024, 4, 7, 9, 5, 3, 45));

function ev(fields: EventFields, meta?: EventFields, timestamp = TS): BeatEvent {
  return meta === undefined ? { timestamp, fields } : { timestamp, fields, meta };
}

function run(fmt: string, event: BeatEvent): string {
  return compileFormatString(fmt).run(event);
}

function compileError(fmt: string): string {
  try {
    compileFormatString(fmt);
  } catch (err) {
    expect(isBeatError(err), `BeatError for ${fmt}`).to.equal(true);
    return (err as Error).message;
  }
  return expect.fail(`"${fmt}" should not compile`);
}

describe('common: format strings', () => {
  it('constant strings are flagged as constant', () => {
    const f = compileFormatString('packetbeat-static');
    expect(f.isConst).to.equal(true);
    expect(f.run(ev({}))).to.equal('packetbeat-static');
    expect(compileFormatString('').run(ev({}))).to.equal('');
    expect(compileFormatString('%{[a]}').isConst).to.equal(false);
    expect(compileFormatString('%{+yyyy}').isConst).to.equal(false);
  });

  it('expands fields, nested fields in both syntaxes, and repeated fields', () => {
    const e = ev({ key: 'value', nested: { key: 'deep' }, 'dotted.key': 'literal', k1: 'v1', k2: 'v2' });
    expect(run('%{[key]}', e)).to.equal('value');
    expect(run('%{[nested.key]}', e)).to.equal('deep');
    expect(run('%{[nested][key]}', e)).to.equal('deep');
    expect(run('%{[dotted.key]}', e)).to.equal('literal');
    expect(run('%{[k1]} - %{[k2]}', e)).to.equal('v1 - v2');
    expect(run('%{[key]} - %{[key]}', e)).to.equal('value - value');
  });

  it('lists referenced fields once, in order', () => {
    expect(compileFormatString('%{[a.b]} %{[c][d]} %{[a.b]:x} %{+yyyy}').fields).to.deep.equal(['a.b', 'c.d']);
    expect(compileFormatString('%{+yyyy}').usesTimestamp).to.equal(true);
  });

  it('converts numbers, booleans, dates and buffers to strings', () => {
    const e = ev({ n: 42, f: 1.5, neg: -3, b: false, t: true, d: new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)), buf: Buffer.from('héllo'), big: 12n });
    expect(run('%{[n]}|%{[f]}|%{[neg]}|%{[b]}|%{[t]}', e)).to.equal('42|1.5|-3|false|true');
    expect(run('%{[d]}', e)).to.equal('2020-01-02T03:04:05.006Z');
    expect(run('%{[buf]}|%{[big]}', e)).to.equal('héllo|12');
  });

  it('uses defaults for missing, empty or non-string values', () => {
    const e = ev({ empty: '', obj: { a: 1 }, zero: 0, present: 'p' });
    expect(run('%{[missing]:default value}', e)).to.equal('default value');
    expect(run('%{[empty]:dflt}', e)).to.equal('dflt');
    expect(run('%{[obj]:dflt}', e)).to.equal('dflt');
    expect(run('%{[zero]:dflt}', e)).to.equal('0');
    expect(run('%{[present]:dflt}', e)).to.equal('p');
    expect(run('%{[missing]:}x', e)).to.equal('x');
    expect(run('%{[a]:def\\:with\\}escapes}', e)).to.equal('def:with}escapes');
  });

  it('a missing field without default is a FormatFieldError naming the field', () => {
    const f = compileFormatString('idx-%{[agent.version]}');
    const e = ev({ agent: { name: 'x' } });
    expect(() => f.run(e)).to.throw(FormatFieldError, /agent\.version/);
    const r = f.tryRun(e);
    expect(r).to.be.instanceOf(FormatFieldError);
    expect((r as FormatFieldError).field).to.equal('agent.version');
    expect((r as FormatFieldError).reason).to.equal('missing');
    const notString = f.tryRun(ev({ agent: { version: { major: 8 } } }));
    expect((notString as FormatFieldError).reason).to.equal('not-a-string');
    expect(() => compileFormatString('%{[x]}').run(ev({ x: null }))).to.throw(FormatFieldError);
  });

  it('reads @timestamp and @metadata', () => {
    const e = ev({ message: 'm' }, { index: 'my-index', pipeline: { name: 'p' } });
    expect(run('%{[@timestamp]}', e)).to.equal('2024-05-07T09:05:03.045Z');
    expect(run('%{[@metadata.index]}', e)).to.equal('my-index');
    expect(run('%{[@metadata][pipeline][name]}', e)).to.equal('p');
    expect(run('%{[@metadata.nope]:none}', ev({}))).to.equal('none');
    expect(() => run('%{[@metadata.index]}', ev({ index: 'not-meta' }))).to.throw(FormatFieldError);
  });

  it('formats the timestamp with Joda patterns in UTC', () => {
    expect(run('packetbeat-%{+yyyy.MM.dd}', ev({}))).to.equal('packetbeat-2024.05.07');
    expect(run('%{+yy-M-d H:m:s}', ev({}))).to.equal('24-5-7 9:5:3');
    expect(run('%{+HH\\:mm}', ev({}))).to.equal('09:05');
    expect(run('%{+HH:mm:ss.SSS}', ev({}))).to.equal('09:05:03.045');
    expect(run("%{+yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}", ev({}))).to.equal('2024-05-07T09:05:03.045Z');
    // UTC even just before midnight in any local zone
    const late = new Date(Date.UTC(2023, 11, 31, 23, 59, 59, 999));
    expect(run('%{+yyyy.MM.dd}', ev({}, undefined, late))).to.equal('2023.12.31');
    expect(run('%{[a]}-%{+yyyy}', ev({ a: 'x' }))).to.equal('x-2024');
  });

  it('date patterns: names, weeks, 12-hour clock, fractions and literals', () => {
    const f = (p: string, d: Date): string => compileDatePattern(p)(d);
    const d = new Date(Date.UTC(2006, 7, 1, 20, 5, 24, 123));
    expect(f('yyy.MMM.dd', d)).to.equal('2006.Aug.01');
    expect(f('yyyy.MMMM.d', d)).to.equal('2006.August.1');
    expect(f('yyyyyy.MM.ddd', d)).to.equal('002006.08.001');
    expect(f('E EEEE D', d)).to.equal('Tue Tuesday 213');
    expect(f('K:m:s a', d)).to.equal('8:5:24 PM');
    expect(f('hh kk HH', d)).to.equal('08 20 20');
    expect(f('hh kk', new Date(Date.UTC(2006, 0, 1, 0, 0)))).to.equal('12 24');
    expect(f('S SS SSS SSSS', d)).to.equal('1 12 123 1230');
    expect(f('xx.ww.e', new Date(Date.UTC(2015, 0, 1)))).to.equal('15.01.4');
    expect(f('xxxx.ww.e', new Date(Date.UTC(2014, 11, 31)))).to.equal('2015.01.3');
    expect(f('xxxx.w', new Date(Date.UTC(2021, 0, 3)))).to.equal('2020.53');
    expect(f("'plain' '' 'text'", d)).to.equal("plain ' text");
    expect(f("'plain '' text'", d)).to.equal("plain ' text");
    expect(f('--=++,_!/?[]{}@#$%^&*()', d)).to.equal('--=++,_!/?[]{}@#$%^&*()');
    expect(f('yyyy-MM-dd z', d)).to.equal('2006-08-01 Z');
    // cached per day for date-only patterns, but still correct across days
    const day = compileDatePattern('yyyy.MM.dd');
    expect(day(new Date(Date.UTC(2024, 0, 1, 1)))).to.equal('2024.01.01');
    expect(day(new Date(Date.UTC(2024, 0, 1, 23)))).to.equal('2024.01.01');
    expect(day(new Date(Date.UTC(2024, 0, 2, 0)))).to.equal('2024.01.02');
  });

  it('handles escapes and lone percent signs as literals', () => {
    expect(run('100% \\%{[a]} %', ev({}))).to.equal('100% %{[a]} %');
    expect(run('a\\\\b', ev({}))).to.equal('a\\b');
    expect(run('%{[a]}}', ev({ a: 'x' }))).to.equal('x}');
  });

  it('rejects malformed format strings at compile time', () => {
    expect(compileError('%{[]}')).to.match(/empty fields selector/);
    expect(compileError('%{[field}')).to.match(/missing closing/);
    expect(compileError('%{[field]')).to.match(/missing closing '}'/);
    expect(compileError('%{field}')).to.match(/unsupported format expression/);
    expect(compileError('%{[field]:?fail}')).to.match(/unsupported format operator/);
    expect(compileError('%{[field]:a:b}')).to.match(/too many format modifiers/);
    expect(compileError('%{}')).to.match(/empty format expansion/);
    expect(compileError('%{[a]%{[b]}}')).to.match(/nested/);
    expect(compileError('%{+yyyy-qq}')).to.match(/unsupported date format letter 'q'/);
    expect(compileError("%{+yyyy 'open}")).to.match(/missing closing '/);
    expect(compileError('%{[a]:x')).to.match(/missing closing/);
  });
});
