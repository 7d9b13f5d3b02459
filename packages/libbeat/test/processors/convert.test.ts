import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { convertValue } from '../../src/processors/convert.js';
import { build, ev, expectBeatError, runOne, doc } from './helpers.js';

describe('processors: convert', () => {
  describe('value conversions (as Beats)', () => {
    it('integer and long', () => {
      expect(convertValue('integer', '42')).to.equal(42);
      expect(convertValue('integer', '-0x1F')).to.equal(-31);
      expect(convertValue('integer', 3.9)).to.equal(3);
      expect(convertValue('integer', -3.9)).to.equal(-3);
      expect(convertValue('long', '9007199254740991')).to.equal(9007199254740991);
      expect(() => convertValue('integer', '2147483648')).to.throw(/out of range/);
      expect(() => convertValue('integer', '1.5')).to.throw(/invalid syntax/);
      expect(() => convertValue('long', '9223372036854775808')).to.throw(/out of range/);
      expect(() => convertValue('long', true)).to.throw(/boolean/);
    });

    it('float and double', () => {
      expect(convertValue('double', '1.25e2')).to.equal(125);
      expect(convertValue('double', 7)).to.equal(7);
      // float is 32-bit, shown with its shortest decimal form.
      expect(convertValue('float', '1.1')).to.equal(1.1);
      expect(convertValue('float', 0.1 + 0.2)).to.equal(0.3);
      expect(convertValue('float', 16777217)).to.equal(16777216);
      expect(() => convertValue('float', '1e39')).to.throw(/out of range/);
      expect(() => convertValue('double', 'abc')).to.throw(/invalid syntax/);
    });

    it('boolean', () => {
      for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(convertValue('boolean', t), t).to.equal(true);
      for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(convertValue('boolean', f), f).to.equal(false);
      expect(() => convertValue('boolean', 'yes')).to.throw(/invalid syntax/);
      expect(() => convertValue('boolean', 1)).to.throw(/boolean/);
    });

    it('string', () => {
      expect(convertValue('string', 42)).to.equal('42');
      expect(convertValue('string', 2.5)).to.equal('2.5');
      expect(convertValue('string', true)).to.equal('true');
      expect(convertValue('string', 'x')).to.equal('x');
      expect(() => convertValue('string', null)).to.throw(/null/);
    });

    it('ip', () => {
      expect(convertValue('ip', '10.0.0.1')).to.equal('10.0.0.1');
      expect(convertValue('ip', '2001:db8::1')).to.equal('2001:db8::1');
      expect(() => convertValue('ip', '10.0.0.256')).to.throw(/not a valid IP/);
      expect(() => convertValue('ip', 167772161)).to.throw(/IP/);
    });
  });

  it('converts in place', () => {
    const p = build('convert', { fields: [{ from: 'port', type: 'integer' }, { from: 'ok', type: 'boolean' }] });
    expect(doc(runOne(p, ev({ port: '8080', ok: 'true' })).fields)).to.deep.equal({ port: 8080, ok: true });
  });

  it('copies to a target by default, renames in rename mode', () => {
    const copy = build('convert', { fields: [{ from: 'src.port', to: 'source.port', type: 'long' }] });
    expect(doc(runOne(copy, ev({ src: { port: '53' } })).fields)).to.deep.equal({ src: { port: '53' }, source: { port: 53 } });
    const rename = build('convert', { fields: [{ from: 'src.port', to: 'source.port', type: 'long' }], mode: 'rename' });
    expect(doc(runOne(rename, ev({ src: { port: '53' } })).fields)).to.deep.equal({ src: {}, source: { port: 53 } });
  });

  it('moves without converting when only to is given', () => {
    const p = build('convert', { fields: [{ from: 'a', to: 'b' }] });
    expect(doc(runOne(p, ev({ a: { x: 1 } })).fields)).to.deep.equal({ a: { x: 1 }, b: { x: 1 } });
  });

  it('fail_on_error (default): a bad value leaves the event unchanged but for error.message', () => {
    const p = build('convert', { fields: [{ from: 'a', type: 'integer' }, { from: 'b', type: 'integer' }] });
    const out = runOne(p, ev({ a: '1', b: 'x' }));
    expect(out.fields.a).to.equal('1');
    expect(out.fields.b).to.equal('x');
    const msg = (out.fields.error as { message: string }).message;
    expect(msg).to.match(/^failed in processor\.convert: conversion of field \[b\] to type \[integer\] failed: unable to convert value \[x\]/);
  });

  it('fail_on_error: a missing field is an error unless ignore_missing', () => {
    const out = runOne(build('convert', { fields: [{ from: 'nope', type: 'long' }] }), ev({ a: 1 }));
    expect((out.fields.error as { message: string }).message).to.include('field [nope] is missing');
    const ignored = runOne(build('convert', { fields: [{ from: 'nope', type: 'long' }, { from: 'a', type: 'string' }], ignore_missing: true }), ev({ a: 1 }));
    expect(doc(ignored.fields)).to.deep.equal({ a: '1' });
  });

  it('fail_on_error: false converts what it can', () => {
    const p = build('convert', { fields: [{ from: 'a', type: 'integer' }, { from: 'b', type: 'integer' }, { from: 'c', type: 'integer' }], fail_on_error: false });
    expect(doc(runOne(p, ev({ a: 'x', b: '2' })).fields)).to.deep.equal({ a: 'x', b: 2 });
  });

  it('includes the tag in messages', () => {
    const out = runOne(build('convert', { fields: [{ from: 'a', type: 'ip' }], tag: 'conv1' }), ev({ a: 'x' }));
    expect((out.fields.error as { message: string }).message).to.include('with instance_id=conv1');
  });

  it('rolls back all writes if a later write fails', () => {
    const p = build('convert', { fields: [{ from: 'a', type: 'string' }, { from: 'b', to: '@timestamp' }] });
    const out = runOne(p, ev({ a: 1, b: 'not a date' }));
    expect(out.fields.a).to.equal(1);
    expect((out.fields.error as { message: string }).message).to.include('failed to put field [@timestamp]');
  });

  it('validates its settings', () => {
    expectBeatError(() => build('convert', {}), ErrorCodes.PROCESSOR_INVALID, 'fields');
    expectBeatError(() => build('convert', { fields: [{ from: 'a' }] }), ErrorCodes.PROCESSOR_INVALID, 'fields.0', "'to' or a 'type'");
    expectBeatError(() => build('convert', { fields: [{ to: 'a', type: 'long' }] }), ErrorCodes.PROCESSOR_INVALID, 'fields.0.from');
    expectBeatError(() => build('convert', { fields: [{ from: 'a', type: 'int' }] }), ErrorCodes.PROCESSOR_INVALID, 'fields.0.type', 'int');
    expectBeatError(() => build('convert', { fields: [{ from: 'a', type: 'long' }], mode: 'move' }), ErrorCodes.PROCESSOR_INVALID, 'mode');
    expect(() => build('convert', { fields: [{ from: 'a', type: 'LONG' }], mode: 'Rename' })).not.to.throw();
  });
});
