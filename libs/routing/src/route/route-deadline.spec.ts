import { GatewayError } from '@app/common';
import { RouteDeadline } from './route-deadline';

describe('RouteDeadline', () => {
  afterEach(() => jest.useRealTimers());

  it("aborts with the caller's reason when the caller's signal aborts, and is not expired", () => {
    const caller = new AbortController();
    const deadline = new RouteDeadline(60_000, caller.signal, () => undefined);
    const reason = new Error('client left');
    caller.abort(reason);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe(reason);
    expect(deadline.expired).toBe(false);
    deadline.clear();
  });

  it('starts aborted when the caller already left', () => {
    const caller = new AbortController();
    caller.abort('gone');
    const deadline = new RouteDeadline(60_000, caller.signal, () => undefined);
    expect(deadline.signal.reason).toBe('gone');
    deadline.clear();
  });

  it('aborts with an upstream_timeout when the time is up, then calls back', () => {
    jest.useFakeTimers();
    const onExpired = jest.fn();
    const deadline = new RouteDeadline(1_000, new AbortController().signal, onExpired);
    jest.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(deadline.expired).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(GatewayError);
    expect((deadline.signal.reason as GatewayError).code).toBe('upstream_timeout');
    expect(onExpired).toHaveBeenCalledTimes(1);
  });

  it("stops the clock and stops following the caller's signal once cleared", () => {
    jest.useFakeTimers();
    const caller = new AbortController();
    const onExpired = jest.fn();
    const deadline = new RouteDeadline(1_000, caller.signal, onExpired);
    deadline.clear();
    caller.abort();
    jest.advanceTimersByTime(2_000);
    expect(deadline.signal.aborted).toBe(false);
    expect(onExpired).not.toHaveBeenCalled();
  });
});
