import type { Principal } from '@app/common';
import { BudgetLease } from './budget-lease';
import { BudgetReservation, LedgerSink } from './budget-reservation';
import type { LedgerEntry, SpendOutcome } from './ledger-entry';

const policy = (id: string) => ({
  id,
  level: 'key' as const,
  limitMicros: 1_000n,
  period: 'daily' as const,
  headroomMicros: 1_000n,
});
const principal = { keyId: 'k', projectId: 'p', teamId: 't' } as Principal;
const outcome: SpendOutcome = {
  costMicros: 30n,
  costStatus: 'priced',
  usage: { promptTokens: 10, cachedTokens: 0, completionTokens: 5, reasoningTokens: 0, source: 'provider' },
  modelServed: 'm',
  deployment: 'openai/m',
};

function reservation(leases: BudgetLease[]) {
  const recorded: LedgerEntry[] = [];
  const returned: Array<readonly BudgetLease[]> = [];
  const settledAt = new Date(5);
  const sink: LedgerSink = {
    holder: 'host/1/ab',
    record: (entry) => recorded.push(entry),
    returnChange: async (l) => void returned.push(l),
    now: () => settledAt,
  };
  for (const lease of leases) {
    lease.confirm(1_000n, 0);
    lease.tryHold(100n, 0, 1_000);
  }
  const holds = leases.map((lease) => ({ lease, amount: 100n }));
  const admitted = { principal, requestId: 'req_1', admittedAt: new Date(1) };
  return { reservation: new BudgetReservation('spend_1', 100n, admitted, holds, sink), recorded, returned, settledAt };
}

describe('BudgetReservation', () => {
  it('settles once: charges the cost to every lease and queues one ledger entry', async () => {
    const leases = [new BudgetLease(policy('a'), new Date(0)), new BudgetLease(policy('b'), new Date(0))];
    const { reservation: r, recorded, returned, settledAt } = reservation(leases);
    expect(await r.settle(outcome)).toEqual(outcome);
    expect(await r.settle(outcome)).toBeNull();
    await r.release();
    expect(recorded).toEqual([
      {
        ...outcome,
        id: 'spend_1',
        requestId: 'req_1',
        teamId: 't',
        projectId: 'p',
        keyId: 'k',
        admittedAt: new Date(1),
        settledAt,
        holder: 'host/1/ab',
        charges: leases.map((lease) => ({ budgetId: lease.policy.id, periodStart: new Date(0), amount: 30n })),
      },
    ]);
    expect(leases.map((lease) => [lease.held, lease.unflushed])).toEqual([
      [0n, 30n],
      [0n, 30n],
    ]);
    // No lease near its limit: nothing to hand back.
    expect(returned).toEqual([]);
  });

  it('hands change back when a lease is near its limit, on settle and on release', async () => {
    const near = () => {
      const leases = [new BudgetLease(policy('a'), new Date(0)), new BudgetLease(policy('b'), new Date(0))];
      leases[1].nearLimit = true;
      return leases;
    };
    const settled = reservation(near());
    await settled.reservation.settle(outcome);
    expect(settled.returned).toHaveLength(1);
    expect(settled.returned[0]).toHaveLength(2);
    const released = reservation(near());
    await released.reservation.release();
    expect(released.returned).toHaveLength(1);
    expect(released.recorded).toEqual([]);
  });

  it('charges a cost above the reservation in full, flagged over_reservation', async () => {
    const lease = new BudgetLease(policy('a'), new Date(0));
    const { reservation: r, recorded } = reservation([lease]);
    const charged = await r.settle({ ...outcome, costMicros: 250n });
    expect(charged).toEqual({ ...outcome, costMicros: 250n, costStatus: 'over_reservation' });
    expect(recorded[0]).toMatchObject({ costMicros: 250n, costStatus: 'over_reservation' });
    expect(recorded[0].charges).toEqual([{ budgetId: 'a', periodStart: new Date(0), amount: 250n }]);
    expect([lease.held, lease.unflushed]).toEqual([0n, 250n]);
  });

  it('keeps a cost exactly at the reservation priced, and leaves other statuses alone', async () => {
    expect(await reservation([]).reservation.settle({ ...outcome, costMicros: 100n })).toMatchObject({
      costStatus: 'priced',
    });
    const unknown = { ...outcome, costMicros: 100n, costStatus: 'usage_unknown' as const, usage: null };
    expect(await reservation([]).reservation.settle(unknown)).toEqual(unknown);
    const unpriced = { ...outcome, costMicros: null, costStatus: 'unpriced' as const };
    expect(await reservation([]).reservation.settle(unpriced)).toEqual(unpriced);
  });

  it('never refunds: a negative cost is charged as invalid usage, at the reserved maximum', async () => {
    const lease = new BudgetLease(policy('a'), new Date(0));
    const { reservation: r, recorded } = reservation([lease]);
    expect(await r.settle({ ...outcome, costMicros: -1_000n })).toMatchObject({
      costMicros: 100n,
      costStatus: 'usage_invalid',
      usage: null,
    });
    expect(recorded[0].charges).toEqual([{ budgetId: 'a', periodStart: new Date(0), amount: 100n }]);
    expect(lease.unflushed).toBe(100n);
  });
});
