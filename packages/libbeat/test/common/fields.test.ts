import { expect } from 'chai';
import { deepClone, deleteField, flattenFields, getField, hasField, mergeFields, putField } from '../../src/common/fields.js';
import type { EventFields } from '../../src/event.js';

describe('event field paths', () => {
  it('reads nested and literal dotted keys', () => {
    const f: EventFields = { http: { response: { code: 200 } }, 'url.path': '/x' };
    expect(getField(f, 'http.response.code')).to.equal(200);
    expect(getField(f, 'url.path')).to.equal('/x');
    expect(getField(f, 'http.request')).to.equal(undefined);
    expect(hasField(f, 'http.response')).to.equal(true);
  });

  it('puts through missing and non-object parents', () => {
    const f: EventFields = { a: 1 };
    putField(f, 'a.b.c', 2);
    putField(f, 'x.y', 3);
    expect(f).to.deep.equal({ a: { b: { c: 2 } }, x: { y: 3 } });
  });

  it('a deleted field is absent to every reader and from the JSON document', () => {
    const f: EventFields = { a: 1, b: { c: 2, d: 3 } };
    expect(deleteField(f, 'b.c')).to.equal(true);
    expect(deleteField(f, 'b.c')).to.equal(false);
    expect(deleteField(f, 'nope.x')).to.equal(false);
    expect(hasField(f, 'b.c')).to.equal(false);
    expect(getField(f, 'b.c')).to.equal(undefined);
    expect(JSON.parse(JSON.stringify(f))).to.deep.equal({ a: 1, b: { d: 3 } });
    expect(flattenFields(deepClone(f))).to.deep.equal({ a: 1, 'b.d': 3 });
    // A merge that does not overwrite still fills a deleted field.
    mergeFields(f, { b: { c: 9, d: 9 } }, false);
    expect(JSON.parse(JSON.stringify(f))).to.deep.equal({ a: 1, b: { c: 9, d: 3 } });
  });

  it('merges copy what they insert, lists included, so events never share them', () => {
    const shared: EventFields = { tags: ['a'], nested: { list: [1] } };
    const e1: EventFields = {};
    const e2: EventFields = {};
    mergeFields(e1, shared);
    mergeFields(e2, shared);
    (e1['tags'] as string[]).push('b');
    ((e1['nested'] as EventFields)['list'] as number[]).push(2);
    expect(e2).to.deep.equal({ tags: ['a'], nested: { list: [1] } });
    expect(shared).to.deep.equal({ tags: ['a'], nested: { list: [1] } });
  });

  it('deepClone copies maps and lists but keeps Dates and Buffers', () => {
    const when = new Date(0);
    const buf = Buffer.from('x');
    const src: EventFields = { when, buf, list: [{ a: 1 }] };
    const copy = deepClone(src);
    expect(copy['when']).to.equal(when);
    expect(copy['buf']).to.equal(buf);
    expect(copy['list']).to.deep.equal([{ a: 1 }]);
    expect(copy['list']).to.not.equal(src['list']);
  });
});
