import { expect } from 'chai';
import { formatGoFloat, formatGoScalar, formatGoTime } from '../../src/processors/go-format.js';

describe('processors: Go value formatting', () => {
  it('formats numbers like %v', () => {
    expect(formatGoFloat(42)).to.equal('42');
    expect(formatGoFloat(-7)).to.equal('-7');
    expect(formatGoFloat(1e20)).to.equal('100000000000000000000');
    expect(formatGoFloat(2.5)).to.equal('2.5');
    expect(formatGoFloat(100000.5)).to.equal('100000.5');
    expect(formatGoFloat(1234567.5)).to.equal('1.2345675e+06');
    expect(formatGoFloat(0.0001)).to.equal('0.0001');
    expect(formatGoFloat(0.00001234)).to.equal('1.234e-05');
    expect(formatGoFloat(1e21)).to.equal('1e+21');
    expect(formatGoFloat(NaN)).to.equal('NaN');
    expect(formatGoFloat(-Infinity)).to.equal('-Inf');
  });

  it('formats times like Time.String in UTC', () => {
    expect(formatGoTime(new Date('2019-10-29T00:00:00Z'))).to.equal('2019-10-29 00:00:00 +0000 UTC');
    expect(formatGoTime(new Date('2019-10-29T01:02:03.120Z'))).to.equal('2019-10-29 01:02:03.12 +0000 UTC');
  });

  it('formats scalars and refuses maps and lists', () => {
    expect(formatGoScalar('x')).to.equal('x');
    expect(formatGoScalar(true)).to.equal('true');
    expect(formatGoScalar(null)).to.equal('<nil>');
    expect(formatGoScalar(10n)).to.equal('10');
    expect(formatGoScalar(Buffer.from([1, 2]))).to.equal('[1 2]');
    expect(formatGoScalar({ a: 1 })).to.equal(undefined);
    expect(formatGoScalar([1])).to.equal(undefined);
  });
});
