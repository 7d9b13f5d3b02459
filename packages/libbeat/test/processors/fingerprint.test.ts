import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors.js';
import { base32Encode } from '../../src/processors/fingerprint.js';
import { build, ev, expectBeatError, runOne } from './helpers.js';

// Expected values are Beats' own fingerprint test vectors.
describe('processors: fingerprint', () => {
  const fp = (settings: Record<string, unknown>, fields: Record<string, unknown>, timestamp?: Date): unknown => {
    const e = ev(fields);
    if (timestamp !== undefined) e.timestamp = timestamp;
    return runOne(build('fingerprint', settings), e).fields;
  };

  it('hashes |field|value...| with sha256/hex by default', () => {
    expect(fp({ fields: ['message'] }, { message: 'hello world' })).to.deep.include({
      fingerprint: '50110bbfc1757f21caacc966b33f5ea2235c4176739447e0b3285dec4e1dd2a4',
    });
    expect(fp({ fields: ['message'] }, { message: 'test message "hello world"' })).to.deep.include({
      fingerprint: '14a0364b79acbe4c78dd5e77db2c93ae8c750518b32581927d50b3eef407184e',
    });
  });

  it('hashes @timestamp as Go prints a UTC time', () => {
    const fields = fp({ fields: ['@timestamp', 'message'] }, { message: 'test message "hello world"' }, new Date(1635443183 * 1000));
    expect(fields).to.deep.include({ fingerprint: '081da76e049554943843b83948ac83ab7aa79fd2849331813e02042586021c26' });
  });

  it('hashes Date fields in UTC', () => {
    expect(fp({ fields: ['timestamp'] }, { timestamp: new Date('2019-10-29T00:00:00Z') })).to.deep.include({
      fingerprint: '4534d56a673c2da41df32db5da87cf47e639e84fe82907f2c015c8dfcac5d4f5',
    });
  });

  it('supports md5, sha1, sha256, sha384, sha512', () => {
    const fields = { field1: 'foo', field2: 'bar', unused_field: 'baz' };
    const expected: Record<string, string> = {
      md5: '4c45df4792f3ef850c928ec5f5232538',
      sha1: '22f76427d626516d3f7a05785165b99617683b22',
      sha256: '1208288932231e313b369bae587ff574cd3016a408e52e7128d7bee752674003',
      sha384: '295adfe0bc03908948e4b0b6a54f441767867e426dda590430459c8a147fbba242a38cba282adee78335b9e08877b86c',
      sha512: 'f50ad51b63c92a0ed0c910527119b81806f3110f0afaa1dcb93506a78371ea761e50c0fc09b08c441d832dd2da1b45e5d8361adfb240e1fffc2695122a23e183',
    };
    for (const [method, hash] of Object.entries(expected)) {
      expect(fp({ fields: ['field1', 'field2'], method }, fields), method).to.deep.include({ fingerprint: hash });
    }
  });

  it('sorts and de-duplicates fields, reading nested ones', () => {
    const fields = { field1: 'foo', field2: 'bar', nested: { field: 'qux' }, unused_field: 'baz' };
    const want = '3d51237d384215a6e731f2cc67ead6d7d9a5138377897c8f542a915be3c25bcf';
    for (const list of [['field1', 'nested.field'], ['nested.field', 'field1'], ['nested.field', 'field1', 'nested.field']]) {
      expect(fp({ fields: list }, fields)).to.deep.include({ fingerprint: want });
    }
  });

  it('encodes as hex, base32 or base64', () => {
    const fields = { field2: 'bar', nested: { field: 'qux' } };
    const want: Record<string, string> = {
      hex: '8934ca639027aab1ee9f3944d4d6bd1e',
      base32: 'RE2MUY4QE6VLD3U7HFCNJVV5DY======',
      base64: 'iTTKY5AnqrHunzlE1Na9Hg==',
    };
    for (const [encoding, value] of Object.entries(want)) {
      expect(fp({ fields: ['field2', 'nested.field'], method: 'md5', encoding }, fields), encoding).to.deep.include({ fingerprint: value });
    }
    expect(base32Encode(Buffer.from('foobar'))).to.equal('MZXW6YTBOI======');
  });

  it('writes to target_field, including @metadata', () => {
    const out = runOne(build('fingerprint', { fields: ['field1'], target_field: 'nested.target_field' }), ev({ field1: 'foo' }));
    expect(out.fields).to.deep.equal({ field1: 'foo', nested: { target_field: '4cf8b768ad20266c348d63a6d1ff5d6f6f9ed0f59f5c68ae031b78e3e04c5144' } });
    const meta = runOne(build('fingerprint', { fields: ['@metadata.message'], target_field: '@metadata.fingerprint' }), ev({}, { message: 'hello world' }));
    expect(meta.meta).to.deep.equal({ message: 'hello world', fingerprint: '1a3fe8251076ed8de5fd99ce529d2b9971c54851d4d45f5a576bed91d0cc4202' });
  });

  it('ignore_missing skips absent fields', () => {
    expect(fp({ fields: ['field1', 'missing_field'], ignore_missing: true }, { field1: 'foo' })).to.deep.include({
      fingerprint: '4cf8b768ad20266c348d63a6d1ff5d6f6f9ed0f59f5c68ae031b78e3e04c5144',
    });
  });

  it('records missing and non-scalar fields in error.message, keeping the event', () => {
    const missing = fp({ fields: ['field1', 'missing_field'] }, { field1: 'foo' }) as Record<string, unknown>;
    expect(missing.fingerprint).to.equal(undefined);
    expect(missing.error).to.deep.equal({ message: 'failed to compute fingerprint: failed to find field [missing_field] in event: key not found' });
    const complex = fp({ fields: ['complex_field'] }, { complex_field: { child: 'qux' } }) as Record<string, unknown>;
    expect(complex.error).to.deep.equal({ message: 'failed to compute fingerprint: cannot compute fingerprint using non-scalar field [complex_field]' });
  });

  it('validates its settings (xxhash is not available)', () => {
    expectBeatError(() => build('fingerprint', { fields: [] }), ErrorCodes.PROCESSOR_INVALID, 'fields');
    expectBeatError(() => build('fingerprint', {}), ErrorCodes.PROCESSOR_INVALID, 'fields');
    expectBeatError(() => build('fingerprint', { fields: ['a'], method: 'non_existent' }), ErrorCodes.PROCESSOR_INVALID, 'method');
    expectBeatError(() => build('fingerprint', { fields: ['a'], encoding: 'non_existent' }), ErrorCodes.PROCESSOR_INVALID, 'encoding');
    expectBeatError(() => build('fingerprint', { fields: ['a'], method: 'xxhash' }), ErrorCodes.PROCESSOR_INVALID, 'xxhash');
    expectBeatError(() => build('fingerprint', { fields: ['a'], use_xxhash: true }), ErrorCodes.PROCESSOR_INVALID, 'xxhash');
  });
});
