import { Logger } from '@nestjs/common';
import { PricePoint, Principal, providerUsage, RequestContext, TokenUsage } from '@app/common';
import { BudgetReservation } from '@app/quota';
import { RequestSpend } from './request-spend';

// $2 in, $8 out per million tokens: 2 and 8 micro-USD per token.
const PRICE: PricePoint = {
  effectiveFrom: null,
  inputMicrosPerMtok: 2_000_000,
  outputMicrosPerMtok: 8_000_000,
  cachedInputMicrosPerMtok: null,
};
const RESERVED = 818n;

function spend(usage: TokenUsage | undefined, price: () => PricePoint | null = () => PRICE) {
  const entries: Array<{ costMicros: bigint | null; costStatus: string; usage: TokenUsage | null }> = [];
  const reservation = new BudgetReservation(
    'spend_1',
    RESERVED,
    { principal: { keyId: 'k', projectId: 'p', teamId: 't' } as Principal, requestId: 'req_1', admittedAt: new Date() },
    [],
    {
      holder: 'host/1/ab',
      record: (entry) => void entries.push(entry),
      returnChange: async () => undefined,
      now: () => new Date(),
    },
  );
  const context: RequestContext = {
    requestId: 'req_1',
    receivedAt: 0,
    costMicroUsd: null,
    usage,
    trace: { modelRequested: 'm', modelServed: 'm', deployment: 'openai/m', attempts: [] },
  };
  return { spend: new RequestSpend(reservation, context, price), context, entries };
}

describe('RequestSpend.settle', () => {
  it('charges a valid report at the served price, once', async () => {
    const { spend: s, context, entries } = spend(providerUsage({ prompt_tokens: 9, completion_tokens: 20 }));
    await s.settle();
    await s.settle();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ costMicros: 178n, costStatus: 'priced' });
    expect(context.costMicroUsd).toBe(178);
  });

  it('charges a corrected (clamped) report its reservation, flagged usage_invalid', async () => {
    const { spend: s, context, entries } = spend(providerUsage({ prompt_tokens: -1_000_000, completion_tokens: 5 }));
    await s.settle();
    expect(entries[0]).toEqual(
      expect.objectContaining({ costMicros: RESERVED, costStatus: 'usage_invalid', usage: null }),
    );
    expect(context.costMicroUsd).toBe(818);
  });

  it('charges an estimate or no usage at all its reservation, flagged usage_unknown', async () => {
    for (const usage of [
      undefined,
      { promptTokens: 3, cachedTokens: 0, completionTokens: 1, reasoningTokens: 0, source: 'estimated' as const },
    ]) {
      const { spend: s, entries } = spend(usage);
      await s.settle();
      expect(entries[0]).toMatchObject({ costMicros: RESERVED, costStatus: 'usage_unknown', usage: null });
    }
  });

  it('records an unpriced model with cost null', async () => {
    const {
      spend: s,
      context,
      entries,
    } = spend(providerUsage({ prompt_tokens: 9, completion_tokens: 20 }), () => null);
    await s.settle();
    expect(entries[0]).toMatchObject({ costMicros: null, costStatus: 'unpriced' });
    expect(context.costMicroUsd).toBeNull();
  });

  it('still settles, at the reservation, when pricing throws: no hold is left open and nothing reaches the client', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const { spend: s, entries } = spend(providerUsage({ prompt_tokens: 9, completion_tokens: 20 }), () => {
        throw new RangeError('boom');
      });
      await expect(s.settle()).resolves.toBeUndefined();
      expect(entries[0]).toMatchObject({ costMicros: RESERVED, costStatus: 'usage_unknown' });
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      logged.mockRestore();
    }
  });
});
