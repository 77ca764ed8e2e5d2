import { baseProviderSchema } from './provider-config';

describe('provider headers', () => {
  it('takes extra headers for every call', () => {
    const parsed = baseProviderSchema.parse({ id: 'openai', headers: { 'OpenAI-Organization': 'org-1' } });
    expect(parsed.headers).toEqual({ 'OpenAI-Organization': 'org-1' });
  });

  it.each(['Content-Length', 'transfer-encoding', 'Keep-Alive', 'upgrade', 'Expect'])(
    'refuses %s, which the HTTP client writes itself (a call setting it would fail)',
    (name) => {
      const result = baseProviderSchema.safeParse({ id: 'openai', headers: { [name]: '1' } });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]).toMatchObject({
        path: ['headers'],
        message:
          'may not set content-length, transfer-encoding, keep-alive, upgrade, expect: the HTTP client writes them from the request itself',
      });
    },
  );
});
