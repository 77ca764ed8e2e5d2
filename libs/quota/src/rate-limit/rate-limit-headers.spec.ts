import { formatDuration, LimitCheck, setRateLimitHeaders } from './rate-limit-headers';

describe('rate-limit headers', () => {
  it('formats durations the way OpenAI does', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(20)).toBe('20ms');
    expect(formatDuration(1_000)).toBe('1s');
    expect(formatDuration(59_500)).toBe('59.5s');
    expect(formatDuration(360_000)).toBe('6m0s');
    expect(formatDuration(3_723_000)).toBe('1h2m3s');
  });

  it('reports, per dimension, the level with the least room left', () => {
    const check = (dimension: 'requests' | 'tokens', level: string, limit: number): LimitCheck => ({
      dimension,
      level,
      limit,
      key: `${level}:${dimension}`,
      windowMs: 60_000,
      weight: 1,
    });
    const checks = [check('requests', 'key', 100), check('requests', 'project', 60), check('tokens', 'key', 1_000)];
    const decision = {
      allowed: true,
      windows: [
        { used: 10, retryAfterMs: 0, resetMs: 60_000 },
        { used: 55, retryAfterMs: 0, resetMs: 30_000 },
        { used: 200, retryAfterMs: 0, resetMs: 1_500 },
      ],
    };
    const headers: Record<string, string> = {};
    setRateLimitHeaders(checks, decision, { setHeader: (name, value) => (headers[name] = value) });
    expect(headers).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '5',
      'x-ratelimit-reset-requests': '30s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '800',
      'x-ratelimit-reset-tokens': '1.5s',
    });
  });
});
