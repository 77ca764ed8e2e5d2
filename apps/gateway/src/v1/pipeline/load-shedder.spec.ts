import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { OverloadLimits } from '../../server.config';
import { LAG_SAMPLE_MS, LoadShedder } from './load-shedder';

const response = () => new EventEmitter() as unknown as ServerResponse;
const settings = (overload: Partial<OverloadLimits>) =>
  ({ overload: { maxInFlight: 0, maxLagMs: 0, maxStreamsPerKey: 0, ...overload } }) as never;

describe('LoadShedder', () => {
  const shedders: LoadShedder[] = [];
  const shedder = (overload: Partial<OverloadLimits>) => {
    const made = new LoadShedder(settings(overload));
    shedders.push(made);
    return made;
  };
  afterEach(() => shedders.splice(0).forEach((made) => made.onModuleDestroy()));

  it('refuses with 503 overloaded and retry-after once the in-flight limit is reached, until a response closes', () => {
    const limited = shedder({ maxInFlight: 2 });
    const first = response();
    expect(limited.admit(first)).toBeUndefined();
    expect(limited.admit(response())).toBeUndefined();
    const refusal = limited.admit(response());
    expect(refusal).toMatchObject({ code: 'overloaded', status: 503, options: { retryAfterSeconds: 1 } });
    expect(refusal!.message).toContain('too many requests in flight');
    first.emit('close');
    expect(limited.admit(response())).toBeUndefined();
  });

  it('admits everything with both limits off', () => {
    const unlimited = shedder({});
    for (let i = 0; i < 1_000; i++) expect(unlimited.admit(response())).toBeUndefined();
  });

  it('refuses while the event loop runs late past the lag limit, and admits once it has caught up', async () => {
    // Generous figures: other work on a loaded machine delays timers too.
    const limited = shedder({ maxLagMs: 150 });
    const admitsWithin = async (ms: number) => {
      for (const until = performance.now() + ms; performance.now() < until; await sleep(LAG_SAMPLE_MS)) {
        if (limited.admit(response()) === undefined) return true;
      }
      return false;
    };
    expect(await admitsWithin(2_000)).toBe(true);
    const block = () => {
      const until = performance.now() + 500;
      while (performance.now() < until) {
        // Blocks the event loop, as a CPU-bound burst would.
      }
    };
    // One pause (a major GC, the embedded database starting) is not overload: the next request is admitted.
    block();
    await sleep(1); // the overdue sample runs before this timer (it fell due first)
    expect(limited.admit(response())).toBeUndefined();
    // Late twice in a row is: refused until the loop catches up.
    block();
    await sleep(1);
    expect(limited.admit(response())?.message).toContain('event loop is running late');
    expect(await admitsWithin(2_000)).toBe(true);
  });
});
