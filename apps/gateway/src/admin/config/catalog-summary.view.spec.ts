import { publicUrl } from './catalog-summary.view';

describe('publicUrl: where a configured URL points, without what it carries', () => {
  it('keeps scheme, host, port and path', () => {
    expect(publicUrl('https://api.example.com/v1')).toBe('https://api.example.com/v1');
    expect(publicUrl('http://vllm.internal:8000/v1')).toBe('http://vllm.internal:8000/v1');
    expect(publicUrl('https://api.anthropic.com/')).toBe('https://api.anthropic.com');
    expect(publicUrl('redis://cache:6379/2')).toBe('redis://cache:6379/2');
  });

  it('drops user info, query string and fragment', () => {
    expect(publicUrl('https://ops:hunter2@api.example.com/v1?key=abc123#frag')).toBe('https://api.example.com/v1');
    expect(publicUrl('rediss://:s3cret-password@cache.example.com:6380')).toBe('rediss://cache.example.com:6380');
  });

  it('scrubs a known secret or a key-shaped text someone put in the path', () => {
    expect(publicUrl('https://proxy.example.com/t/my-known-secret-123/v1', ['my-known-secret-123'])).toBe(
      'https://proxy.example.com/t/[redacted]/v1',
    );
    expect(publicUrl('https://proxy.example.com/sk-abcdefghijklmnop/v1')).toBe(
      'https://proxy.example.com/[redacted]/v1',
    );
  });
});
