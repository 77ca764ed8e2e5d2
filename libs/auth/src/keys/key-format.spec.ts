import { generateKey, hashKey, isWellFormedKey, kindForEnvironment } from './key-format';

describe('key format', () => {
  it('puts the environment in the prefix and stores nothing that reveals the key', () => {
    const generated = generateKey(kindForEnvironment('production'));
    expect(generated.key).toMatch(/^sy-prod-[0-9A-Za-z]{38}$/);
    expect(generated.hash).toBe(hashKey(generated.key));
    expect(generated.prefix).toBe(generated.key.slice(0, 12));
    expect(generated.last4).toBe(generated.key.slice(-4));
    expect(kindForEnvironment('staging')).toBe('stg');
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 1_000 }, () => generateKey('test').key));
    expect(keys.size).toBe(1_000);
  });

  it('accepts its own keys and rejects typos, truncations and foreign formats by checksum', () => {
    const { key } = generateKey('test');
    expect(isWellFormedKey(key)).toBe(true);
    const typo = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    expect(isWellFormedKey(typo)).toBe(false);
    expect(isWellFormedKey(key.slice(0, -1))).toBe(false);
    expect(isWellFormedKey(key.replace('sy-test-', 'sy-prod-'))).toBe(false);
    expect(isWellFormedKey('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF')).toBe(false);
  });
});
