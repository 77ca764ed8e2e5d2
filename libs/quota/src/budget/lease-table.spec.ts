import { BudgetLease } from './budget-lease';
import { LeaseTable } from './lease-table';

const policy = (id: string) => ({
  id,
  level: 'key' as const,
  limitMicros: 1_000n,
  period: 'monthly' as const,
  headroomMicros: 100n,
});

describe('LeaseTable', () => {
  it('finds a lease by budget and period start, and only that one', () => {
    const table = new LeaseTable();
    const november = new BudgetLease(policy('a'), new Date(Date.UTC(2026, 10, 1)));
    const december = new BudgetLease(policy('a'), new Date(Date.UTC(2026, 11, 1)));
    const other = new BudgetLease(policy('b'), new Date(Date.UTC(2026, 11, 1)));
    for (const lease of [november, december, other]) table.set(lease.policy.id, lease);
    expect(table.get('a', Date.UTC(2026, 10, 1))).toBe(november);
    expect(table.get('a', Date.UTC(2026, 11, 1))).toBe(december);
    expect(table.get('b', Date.UTC(2026, 11, 1))).toBe(other);
    expect(table.get('b', Date.UTC(2026, 10, 1))).toBeUndefined();
    expect(table.get('c', Date.UTC(2026, 11, 1))).toBeUndefined();
  });

  it('lets a walk over every lease drop the ones it is done with', () => {
    const table = new LeaseTable();
    const leases = ['a', 'b', 'c'].map((id) => new BudgetLease(policy(id), new Date(0)));
    for (const lease of leases) table.set(lease.policy.id, lease);
    const seen: string[] = [];
    for (const lease of table) {
      seen.push(lease.policy.id);
      if (lease.policy.id !== 'b') table.delete(lease.policy.id, lease);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect([...table]).toEqual([leases[1]]);
    expect(table.get('a', 0)).toBeUndefined();
  });
});
