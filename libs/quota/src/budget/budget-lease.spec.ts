import { BudgetLease } from './budget-lease';

const policy = {
  id: 'b',
  level: 'project' as const,
  limitMicros: 1_000n,
  period: 'daily' as const,
  headroomMicros: 1_000n,
};

describe('BudgetLease', () => {
  it('admits from confirmed headroom only, and only while the confirmation is fresh', () => {
    const lease = new BudgetLease(policy, new Date(0));
    expect(lease.tryHold(10n, 0, 1_000)).toBe(false);
    lease.confirm(100n, 0);
    expect(lease.tryHold(60n, 10, 1_000)).toBe(true);
    expect(lease.tryHold(60n, 10, 1_000)).toBe(false);
    expect(lease.tryHold(40n, 10, 1_000)).toBe(true);
    lease.release(40n);
    expect(lease.tryHold(40n, 1_000, 1_000)).toBe(false);
  });

  it('returns the unused part of a hold on settlement and owes the actual cost until flushed', () => {
    const lease = new BudgetLease(policy, new Date(0));
    lease.confirm(100n, 0);
    lease.tryHold(80n, 0, 1_000);
    lease.settle(80n, 30n);
    expect(lease.available).toBe(70n);
    expect(lease.idle).toBe(false);
    lease.flushed(30n);
    expect({ granted: lease.granted, available: lease.available, idle: lease.idle }).toEqual({
      granted: 70n,
      available: 70n,
      idle: true,
    });
  });

  it('takes a cost above the lease out of the lease only up to what it holds', () => {
    const lease = new BudgetLease(policy, new Date(0));
    lease.confirm(50n, 0);
    lease.tryHold(50n, 0, 1_000);
    lease.settle(50n, 70n);
    lease.flushed(70n);
    expect(lease.granted).toBe(0n);
    expect(lease.unflushed).toBe(0n);
  });

  it('runs its statements one at a time, in order, even when one fails', async () => {
    const lease = new BudgetLease(policy, new Date(0));
    const order: string[] = [];
    const slow = lease.exclusive(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push('first');
      throw new Error('boom');
    });
    const fast = lease.exclusive(async () => order.push('second'));
    expect(lease.busy).toBe(true);
    await expect(slow).rejects.toThrow('boom');
    await fast;
    expect(order).toEqual(['first', 'second']);
    expect(lease.busy).toBe(false);
  });
});
