import { requestIdFrom } from './ids';
import { hasSecretShape, scrubSecrets } from './secrets';

/** Shapes only: none of these is a real credential. */
const KEY_SHAPES = [
  'sy-prod-AbCdEfGh0123456789AbCdEfGh0123456789',
  'sy-admin-AbCdEfGh0123456789',
  'sk-proj-Abcdefghijklmnop0123456789',
  'sk-ant-api03-Abcdefghijklmnop0123456789',
  'AIzaSyAbcdefghijklmnop0123456789',
  'ya29.Abcdefghijklmnop0123456789',
  'gsk_Abcdefghijklmnop0123456789',
  'hf_Abcdefghijklmnop0123456789',
  'xai-Abcdefghijklmnop0123456789',
  'AKIAABCDEFGHIJKLMNOP',
  'ghp_Abcdefghijklmnop0123456789Abcdefghij',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36',
  'r8_Abcdefghijklmnop0123456789',
  'ASIAABCDEFGHIJKLMNOP',
  'gho_Abcdefghijklmnop0123456789Abcdefghij',
  'github_pat_Abcdefghijklmnop0123456789Abcd',
  'Bearer abcdefghijkl0123',
  'api_key: abcdefghijkl0123',
  'API-KEY= abcdefghijkl0123',
];

describe('secrets by shape', () => {
  it.each(KEY_SHAPES)('scrubs %s wherever it appears in text', (key) => {
    expect(scrubSecrets(`pasted ${key} here`)).toBe('pasted [redacted] here');
    expect(hasSecretShape(key)).toBe(true);
  });

  it.each(['gpt-4o-mini', 'claude-sonnet-4-5', 'checkout-7f3a:42', 'req_0123456789abcdef', 'user-42@example.com'])(
    'leaves %s alone',
    (text) => {
      expect(scrubSecrets(text)).toBe(text);
      expect(hasSecretShape(text)).toBe(false);
    },
  );

  it('scrubs configured secrets of no known shape', () => {
    expect(scrubSecrets('upstream said canary-Zq8v3KfP2m', ['canary-Zq8v3KfP2m'])).toBe('upstream said [redacted]');
  });
});

describe('request ids from the caller', () => {
  it('keeps a sane id', () => {
    expect(requestIdFrom('checkout-7f3a:42')).toBe('checkout-7f3a:42');
  });

  it.each(KEY_SHAPES.filter((key) => /^[A-Za-z0-9._:@-]+$/.test(key)))(
    'replaces %s, which is shaped like a key',
    (key) => {
      expect(requestIdFrom(key)).toMatch(/^req_[0-9a-f]{32}$/);
    },
  );

  it('replaces an id that is too long or not printable', () => {
    expect(requestIdFrom('a'.repeat(129))).toMatch(/^req_/);
    expect(requestIdFrom('bad id')).toMatch(/^req_/);
    expect(requestIdFrom(['a', 'b'])).toMatch(/^req_/);
  });
});
