import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('serves an entry while it is fresh, and not after', () => {
    const cache = new TtlCache<string>(5_000);
    cache.set('k', 'v', 0);
    expect(cache.get('k', 4_999)).toBe('v');
    expect(cache.get('k', 5_000)).toBeUndefined();
    expect(cache.getStale('k', 5_000)).toBeUndefined(); // no stale window: gone
  });

  it('keeps an expired entry for getStale until the stale window, counted from when it was stored, ends', () => {
    const cache = new TtlCache<string>(5_000, 10, 600_000);
    cache.set('k', 'v', 0);
    expect(cache.get('k', 6_000)).toBeUndefined();
    expect(cache.getStale('k', 6_000)).toBe('v');
    expect(cache.getStale('k', 599_999)).toBe('v');
    expect(cache.get('k', 600_000)).toBeUndefined();
    expect(cache.getStale('k', 600_000)).toBeUndefined();
  });

  it('restarts both windows when the entry is stored again', () => {
    const cache = new TtlCache<string>(5_000, 10, 60_000);
    cache.set('k', 'old', 0);
    cache.set('k', 'new', 50_000);
    expect(cache.get('k', 54_000)).toBe('new');
    expect(cache.getStale('k', 100_000)).toBe('new');
  });

  it('keeps stale entries even with freshness turned off (a TTL of 0)', () => {
    const cache = new TtlCache<string>(0, 10, 60_000);
    cache.set('k', 'v', 0);
    expect(cache.get('k', 0)).toBeUndefined();
    expect(cache.getStale('k', 59_999)).toBe('v');
  });

  it('evicts the entry stored longest ago when full, sparing one just stored again', () => {
    const cache = new TtlCache<string>(5_000, 2);
    cache.set('a', '1', 0);
    cache.set('b', '2', 0);
    cache.set('a', '1', 1);
    cache.set('c', '3', 2);
    expect(cache.get('a', 3)).toBe('1');
    expect(cache.get('b', 3)).toBeUndefined();
    expect(cache.get('c', 3)).toBe('3');
  });

  it('forgets a deleted entry for getStale too (a revocation is never undone by an outage)', () => {
    const cache = new TtlCache<string>(5_000, 10, 600_000);
    cache.set('k', 'v', 0);
    cache.delete('k');
    expect(cache.getStale('k', 1)).toBeUndefined();
  });
});
