import { expect } from 'chai';
import { defineProtocol, isProtocolPlugin } from '../src/define.js';
import { PLUGIN_BRAND, SDK_VERSION } from '../src/version.js';
import * as sdk from '../src/index.js';

const base = {
  name: 'echo',
  sdkVersion: '^1.0.0',
  transports: ['tcp'] as const,
  defaultPorts: [7],
  create: () => ({}),
};

describe('protocol-sdk: defineProtocol / isProtocolPlugin', () => {
  it('returns a frozen, branded copy of the definition', () => {
    const p = defineProtocol(base);
    expect(p.name).to.equal('echo');
    expect(p[PLUGIN_BRAND]).to.equal(true);
    expect(Object.isFrozen(p)).to.be.true;
    expect(isProtocolPlugin(p)).to.be.true;
  });

  it('uses a registered symbol, so a plugin made with another copy of the SDK is recognised', () => {
    expect(PLUGIN_BRAND).to.equal(Symbol.for('packetbeat-ts.protocol-plugin'));
    const byHand = { ...base, [Symbol.for('packetbeat-ts.protocol-plugin')]: true };
    expect(isProtocolPlugin(byHand)).to.be.true;
  });

  it('does not recognise other values', () => {
    expect(isProtocolPlugin(base)).to.be.false;
    expect(isProtocolPlugin(null)).to.be.false;
    expect(isProtocolPlugin(undefined)).to.be.false;
    expect(isProtocolPlugin('echo')).to.be.false;
    expect(isProtocolPlugin({ ...base, [PLUGIN_BRAND]: 'yes' })).to.be.false;
    expect(isProtocolPlugin({ ...base, [Symbol('packetbeat-ts.protocol-plugin')]: true })).to.be.false;
  });

  it('rejects bad names, empty transports and bad default ports', () => {
    expect(() => defineProtocol({ ...base, name: 'Echo' })).to.throw(TypeError, /name must be lower-case/);
    expect(() => defineProtocol({ ...base, name: '' })).to.throw(TypeError, /name/);
    expect(() => defineProtocol({ ...base, transports: [] })).to.throw(TypeError, /transports must not be empty/);
    expect(() => defineProtocol({ ...base, defaultPorts: [0] })).to.throw(TypeError, /bad default port 0/);
    expect(() => defineProtocol({ ...base, defaultPorts: [70000] })).to.throw(TypeError, /bad default port/);
  });

  it('the package entry exports the contract and the helpers', () => {
    expect(sdk.SDK_VERSION).to.equal(SDK_VERSION);
    expect(SDK_VERSION).to.match(/^\d+\.\d+\.\d+$/);
    expect(typeof sdk.defineProtocol).to.equal('function');
    expect(typeof sdk.StreamBuffer).to.equal('function');
    expect(typeof sdk.KeyedCorrelator).to.equal('function');
    expect(typeof sdk.PipelinedCorrelator).to.equal('function');
    expect([sdk.FROM_CLIENT, sdk.FROM_SERVER]).to.deep.equal([0, 1]);
  });
});
