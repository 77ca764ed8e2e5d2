import { Clock } from '@app/common';
import { RetryBudget } from './retry-budget';

class ManualClock extends Clock {
  ms = 5_000_000;
  now(): Date {
    return new Date(this.ms);
  }
}

const settings = { ratio: 0.2, min_retries: 3, window_ms: 10_000 };

describe('RetryBudget', () => {
  let clock: ManualClock;
  let budget: RetryBudget;

  beforeEach(() => {
    clock = new ManualClock();
    budget = new RetryBudget(clock);
  });

  const retriesGranted = (attempts: number) =>
    Array.from({ length: attempts }, () => budget.tryRetry(settings)).filter(Boolean).length;

  it('always allows the minimum, so a lone request can retry', () => {
    budget.recordFirstAttempt(settings);
    expect(retriesGranted(10)).toBe(3);
  });

  it('allows retries up to the ratio of first attempts in the window', () => {
    for (let i = 0; i < 200; i++) budget.recordFirstAttempt(settings);
    expect(retriesGranted(100)).toBe(40);
  });

  it('keeps a fully failing stream of requests at 1.2 × first attempts', () => {
    let upstreamCalls = 0;
    for (let request = 0; request < 1_000; request++) {
      clock.ms += 20;
      budget.recordFirstAttempt(settings);
      upstreamCalls++;
      for (let retry = 0; retry < 2 && budget.tryRetry(settings); retry++) upstreamCalls++;
    }
    expect(upstreamCalls).toBeLessThanOrEqual(1.2 * 1_000 + settings.min_retries);
    expect(upstreamCalls).toBeGreaterThan(1.15 * 1_000);
  });

  it('forgets attempts and retries once they slide out of the window', () => {
    for (let i = 0; i < 50; i++) budget.recordFirstAttempt(settings);
    expect(retriesGranted(20)).toBe(10);
    clock.ms += 10_000;
    expect(retriesGranted(20)).toBe(3);
  });
});
