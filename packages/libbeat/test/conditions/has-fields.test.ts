import { expect } from 'chai';
import { expectInvalid, holds } from './helpers.js';

describe('conditions: has_fields', () => {
  it('requires every listed field to exist', () => {
    const fields = { http: { response: { code: 200 } }, message: null };
    expect(holds({ has_fields: ['http.response.code'] }, fields)).to.equal(true);
    expect(holds({ has_fields: ['http.response.code', 'message'] }, fields)).to.equal(true);
    expect(holds({ has_fields: ['http.response.code', 'missing'] }, fields)).to.equal(false);
  });

  it('knows @timestamp and @metadata fields', () => {
    expect(holds({ has_fields: ['@timestamp'] }, {})).to.equal(true);
    expect(holds({ has_fields: ['@metadata.beat'] }, {}, { beat: 'x' })).to.equal(true);
    expect(holds({ has_fields: ['@metadata.other'] }, {}, { beat: 'x' })).to.equal(false);
  });

  it('rejects anything but a non-empty list of names', () => {
    expectInvalid({ has_fields: [] }, 'has_fields');
    expectInvalid({ has_fields: [1] }, 'has_fields');
    expectInvalid({ has_fields: { a: 1 } }, 'has_fields');
  });
});
