import { expect } from 'chai';
import { isBeatError } from '../../src/errors.js';
import { EncodedEvent, type BeatEvent } from '../../src/event.js';
import { createEncoder, encodeLines, encodeLinesInto, FormatEncoder, JsonEncoder, LineBuffer, formatLocalTimestamp } from '../../src/outputs/codec.js';
import { TEST_BEAT } from './helpers.js';

const TS = new Date(Date.UTC(2024, 4, 17, 10, 11, 12, 345));
const META = '"@metadata":{"beat":"packetbeat","type":"_doc","version":"8.15.0"}';

describe('outputs: codec', () => {
  describe('json (compact)', () => {
    const enc = new JsonEncoder(TEST_BEAT);

    it('writes @timestamp, @metadata, then the fields, byte for byte', () => {
      const event: BeatEvent = { timestamp: TS, fields: { message: 'hello', type: 'dns', network: { bytes: 42, transport: 'udp' } } };
      expect(enc.encode(event)).to.equal(
        `{"@timestamp":"2024-05-17T10:11:12.345Z",${META},"message":"hello","type":"dns","network":{"bytes":42,"transport":"udp"}}`,
      );
    });

    it('always prints milliseconds', () => {
      const event: BeatEvent = { timestamp: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 0)), fields: { a: 1 } };
      expect(enc.encode(event)).to.equal(`{"@timestamp":"2024-01-02T03:04:05.000Z",${META},"a":1}`);
    });

    it('writes the text of an EncodedEvent as it is, and parses it only when fields are read', () => {
      const text = '{"message":"pre","n":[1,2]}';
      const event = new EncodedEvent(TS, text, { index: 'x' });
      expect(enc.encode(event)).to.equal(`{"@timestamp":"2024-05-17T10:11:12.345Z","@metadata":{"beat":"${TEST_BEAT.beat}","type":"_doc","version":"${TEST_BEAT.version}","index":"x"},"message":"pre","n":[1,2]}`);
      expect(event.fields).to.deep.equal({ message: 'pre', n: [1, 2] });
      // Setting fields drops the text: the new fields are what gets written.
      event.fields = { message: 'changed' };
      expect(event.encodedFields).to.equal(undefined);
      expect(enc.encode(event)).to.match(/"message":"changed"}$/);
      expect(new FormatEncoder('%{[message]}').encode(new EncodedEvent(TS, text))).to.equal('pre');
    });

    it('copies the UTF-8 bytes of an EncodedEvent as they are, and decodes them only when asked', () => {
      const text = '{"message":"caf\u00e9 \u2603","n":[1,2]}';
      const bytes = new TextEncoder().encode(text);
      const fromBytes = new EncodedEvent(TS, bytes.subarray(0), { index: 'x' });
      const fromText = new EncodedEvent(TS, text, { index: 'x' });
      const lines = (event: BeatEvent): string => {
        const out = new LineBuffer(16);
        enc.encodeTo(event, out);
        return out.view().toString('utf8');
      };
      expect(fromBytes.encodedBytes?.byteLength).to.equal(bytes.byteLength);
      expect(lines(fromBytes)).to.equal(lines(fromText));
      expect(lines(fromBytes)).to.equal(enc.encode(fromText));
      expect(new EncodedEvent(TS, new TextEncoder().encode('{}')).encodedFields).to.equal('{}');
      expect(lines(new EncodedEvent(TS, new TextEncoder().encode('{}')))).to.equal(`{"@timestamp":"2024-05-17T10:11:12.345Z",${META}}`);
      expect(fromBytes.encodedFields).to.equal(text);
      expect(fromBytes.fields).to.deep.equal({ message: 'caf\u00e9 \u2603', n: [1, 2] });
      fromBytes.fields = { message: 'changed' };
      expect(fromBytes.encodedBytes).to.equal(undefined);
      expect(lines(fromBytes)).to.match(/"message":"changed"}$/);
    });

    it('handles empty fields', () => {
      expect(enc.encode({ timestamp: TS, fields: {} })).to.equal(`{"@timestamp":"2024-05-17T10:11:12.345Z",${META}}`);
    });

    it('merges event.meta into @metadata after beat, type and version', () => {
      const event: BeatEvent = { timestamp: TS, fields: { a: 1 }, meta: { pipeline: 'p1', index: 'idx' } };
      expect(enc.encode(event)).to.equal(
        '{"@timestamp":"2024-05-17T10:11:12.345Z","@metadata":{"beat":"packetbeat","type":"_doc","version":"8.15.0","pipeline":"p1","index":"idx"},"a":1}',
      );
      // An empty meta object is the same as none.
      expect(enc.encode({ timestamp: TS, fields: { a: 1 }, meta: {} })).to.equal(`{"@timestamp":"2024-05-17T10:11:12.345Z",${META},"a":1}`);
    });

    it('does not escape HTML by default, and escapes it with escape_html', () => {
      const event: BeatEvent = { timestamp: TS, fields: { msg: '<hello>world & co</hello>' } };
      expect(enc.encode(event)).to.equal(`{"@timestamp":"2024-05-17T10:11:12.345Z",${META},"msg":"<hello>world & co</hello>"}`);
      const esc = new JsonEncoder(TEST_BEAT, { escape_html: true });
      expect(esc.encode(event)).to.equal(
        `{"@timestamp":"2024-05-17T10:11:12.345Z",${META},"msg":"\\u003chello\\u003eworld \\u0026 co\\u003c/hello\\u003e"}`,
      );
    });

    it('parses back to the event (dates, unicode, escapes)', () => {
      const fields = { s: 'line1\nline2 "q" é 😀', d: new Date(Date.UTC(2020, 1, 3)), arr: [1, 'x', null], nested: { deep: { x: true } } };
      const doc = JSON.parse(enc.encode({ timestamp: TS, fields })) as Record<string, unknown>;
      expect(doc).to.deep.equal({
        '@timestamp': '2024-05-17T10:11:12.345Z',
        '@metadata': { beat: 'packetbeat', type: '_doc', version: '8.15.0' },
        s: 'line1\nline2 "q" é 😀',
        d: '2020-02-03T00:00:00.000Z',
        arr: [1, 'x', null],
        nested: { deep: { x: true } },
      });
    });

    it('uses a fresh timestamp per event (no stale cache)', () => {
      const a = enc.encode({ timestamp: TS, fields: {} });
      const b = enc.encode({ timestamp: new Date(TS.getTime() + 1), fields: {} });
      const c = enc.encode({ timestamp: TS, fields: {} });
      expect(a).to.contain('10:11:12.345Z');
      expect(b).to.contain('10:11:12.346Z');
      expect(c).to.equal(a);
    });

    it('throws on an invalid timestamp or unserializable fields', () => {
      expect(() => enc.encode({ timestamp: new Date(Number.NaN), fields: {} })).to.throw(/invalid @timestamp/);
      expect(() => enc.encode({ timestamp: TS, fields: { n: 10n } })).to.throw();
    });

    it('local_time writes the local time with its offset', () => {
      const local = new JsonEncoder(TEST_BEAT, { local_time: true });
      const out = local.encode({ timestamp: TS, fields: {} });
      expect(out).to.equal(`{"@timestamp":"${formatLocalTimestamp(TS)}",${META}}`);
      expect(formatLocalTimestamp(TS)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.345[+-]\d\d:\d\d$/);
      expect(new Date(formatLocalTimestamp(TS)).getTime()).to.equal(TS.getTime());
    });
  });

  describe('json (pretty)', () => {
    it('indents with two spaces in the same key order', () => {
      const enc = new JsonEncoder(TEST_BEAT, { pretty: true });
      const out = enc.encode({ timestamp: TS, fields: { msg: 'message', n: { a: 1 } }, meta: { x: 'y' } });
      expect(out).to.equal(
        [
          '{',
          '  "@timestamp": "2024-05-17T10:11:12.345Z",',
          '  "@metadata": {',
          '    "beat": "packetbeat",',
          '    "type": "_doc",',
          '    "version": "8.15.0",',
          '    "x": "y"',
          '  },',
          '  "msg": "message",',
          '  "n": {',
          '    "a": 1',
          '  }',
          '}',
        ].join('\n'),
      );
    });

    it('escape_html applies to pretty output too', () => {
      const enc = new JsonEncoder(TEST_BEAT, { pretty: true, escape_html: true });
      expect(enc.encode({ timestamp: TS, fields: { m: '<a>' } })).to.contain('"m": "\\u003ca\\u003e"');
    });
  });

  describe('format', () => {
    it('renders each event with the format string', () => {
      const enc = new FormatEncoder('%{[@timestamp]} %{[message]} (%{[network.transport]:none})');
      expect(enc.encode({ timestamp: TS, fields: { message: 'hi', network: { transport: 'tcp' } } })).to.equal('2024-05-17T10:11:12.345Z hi (tcp)');
    });

    it('throws for a missing field, so the event is dropped', () => {
      const enc = new FormatEncoder('%{[message]}');
      expect(() => enc.encode({ timestamp: TS, fields: {} })).to.throw(/message/);
    });
  });

  describe('createEncoder', () => {
    const event: BeatEvent = { timestamp: TS, fields: { message: 'm' } };

    it('defaults to compact JSON', () => {
      expect(createEncoder(TEST_BEAT, undefined).encode(event)).to.equal(`{"@timestamp":"2024-05-17T10:11:12.345Z",${META},"message":"m"}`);
      expect(createEncoder(TEST_BEAT, { json: { pretty: false, escape_html: false }, format: { string: '' } }).encode(event)).to.not.contain('\n');
    });

    it('honours the console `pretty` default and codec.json.pretty', () => {
      expect(createEncoder(TEST_BEAT, undefined, { pretty: true }).encode(event)).to.contain('\n  "message": "m"');
      expect(createEncoder(TEST_BEAT, { json: { pretty: true } }).encode(event)).to.contain('\n  "message": "m"');
    });

    it('selects the format codec by codec.format.string', () => {
      expect(createEncoder(TEST_BEAT, { format: { string: '%{[message]}!' } }).encode(event)).to.equal('m!');
    });

    it('rejects both codecs at once, and a bad format string, as config errors', () => {
      try {
        createEncoder(TEST_BEAT, { json: { pretty: true }, format: { string: '%{[message]}' } });
        expect.fail('should throw');
      } catch (err) {
        expect(isBeatError(err) && err.code).to.equal('BEAT_ERR_CONFIG_INVALID');
      }
      expect(() => createEncoder(TEST_BEAT, { format: { string: '%{[message]' } })).to.throw(/missing closing/);
    });
  });

  describe('LineBuffer / encodeTo fast path', () => {
    const samples: BeatEvent[] = [
      { timestamp: TS, fields: { message: 'hello', n: 1 } },
      { timestamp: TS, fields: {} },
      { timestamp: TS, fields: { s: 'é 😀 <b> & \u2028 "q" \n' }, meta: { pipeline: 'p<1>' } },
      { timestamp: new Date(TS.getTime() + 5), fields: { nested: { a: [1, 2, { b: null }] } } },
    ];
    for (const cfg of [{}, { escape_html: true }, { pretty: true }, { local_time: true }]) {
      it(`writes the same bytes as encode() (${JSON.stringify(cfg)})`, () => {
        const enc = new JsonEncoder(TEST_BEAT, cfg);
        const out = new LineBuffer(16); // tiny: forces growth
        const r = encodeLinesInto(enc, samples, out);
        expect(r.failed).to.have.length(0);
        const expected = samples.map((e) => `${enc.encode(e)}\n`).join('');
        expect(out.view().toString('utf8')).to.equal(expected);
        expect(out.length).to.equal(Buffer.byteLength(expected));
      });
    }

    it('skips events that fail without leaving partial bytes, and falls back to encode()', () => {
      const out = new LineBuffer(8);
      const bad: BeatEvent = { timestamp: TS, fields: { big: 1n } };
      const r = encodeLinesInto(new JsonEncoder(TEST_BEAT), [bad, { timestamp: TS, fields: { a: 1 } }, bad], out);
      expect(r.failed).to.deep.equal([bad, bad]);
      expect(out.view().toString()).to.equal(`{"@timestamp":"2024-05-17T10:11:12.345Z",${META},"a":1}\n`);
      const r2 = encodeLinesInto(new FormatEncoder('%{[a]}'), [{ timestamp: TS, fields: { a: 'x' } }, { timestamp: TS, fields: {} }], out);
      expect(out.view().toString()).to.equal('x\n');
      expect(r2.failed).to.have.length(1);
      out.reset();
      expect(out.length).to.equal(0);
    });
  });

  describe('encodeLines', () => {
    it('joins newline-terminated lines and reports events that fail to encode', () => {
      const enc = new FormatEncoder('%{[m]}');
      const good1: BeatEvent = { timestamp: TS, fields: { m: 'a' } };
      const bad: BeatEvent = { timestamp: TS, fields: {} };
      const good2: BeatEvent = { timestamp: TS, fields: { m: 'b' } };
      const r = encodeLines(enc, [good1, bad, good2]);
      expect(r.data).to.equal('a\nb\n');
      expect(r.failed).to.deep.equal([bad]);
      expect(String(r.firstError)).to.contain('[m]');
      const empty = encodeLines(enc, []);
      expect(empty.data).to.equal('');
      expect(empty.failed).to.have.length(0);
    });
  });
});
