import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members, so equal values serialise alike', () => {
    const a = canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' }, u: undefined });
    const b = canonicalJson({ a: { c: 'x', d: [1, { y: null, z: true }] }, b: 1 });
    expect(a).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}');
    expect(b).toBe(a);
  });

  it('escapes strings as JSON does and uses toJSON where a value has one', () => {
    expect(canonicalJson({ 'quote"key': 'line\nbreak', at: new Date('2025-01-02T03:04:05.006Z') })).toBe(
      '{"at":"2025-01-02T03:04:05.006Z","quote\\"key":"line\\nbreak"}',
    );
  });

  it('turns undefined array items and non-finite numbers into null, like JSON', () => {
    expect(canonicalJson([undefined, Number.NaN, 1.5])).toBe('[null,null,1.5]');
  });
});
