import { SystemClock } from '@app/common';
import { QuotaStats } from '../quota-stats';
import type { QuotaSettings } from '../quota.config';
import { RateLimitStore } from './rate-limit.store';

describe('RateLimitStore as a @nestjs/throttler storage', () => {
  it('reports hits, blocking and the wait until the next hit fits, in seconds', async () => {
    const store = new RateLimitStore(new SystemClock(), new QuotaStats(), { redisUrl: undefined } as QuotaSettings);
    const first = await store.increment('k', 60_000, 2);
    expect(first).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    await store.increment('k', 60_000, 2);
    const blocked = await store.increment('k', 60_000, 2);
    expect(blocked).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 60 });
  });
});
