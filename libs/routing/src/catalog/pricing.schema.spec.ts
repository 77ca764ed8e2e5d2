import { formatConfigPath } from '@app/common';
import { pricingSchema } from './pricing.schema';

describe('pricing schema', () => {
  it('reads one price as a schedule of one, in integer micro-USD per million tokens', () => {
    expect(pricingSchema.parse({ input_per_mtok: 0.4, output_per_mtok: 1.6, cached_input_per_mtok: 0.1 })).toEqual([
      {
        effectiveFrom: null,
        inputMicrosPerMtok: 400_000,
        outputMicrosPerMtok: 1_600_000,
        cachedInputMicrosPerMtok: 100_000,
      },
    ]);
  });

  it('reads a dated list, dates as UTC midnight', () => {
    const schedule = pricingSchema.parse([
      { input_per_mtok: 1, output_per_mtok: 2 },
      { effective_from: '2026-01-01', input_per_mtok: 0.5, output_per_mtok: 1 },
    ]);
    expect(schedule[1]).toMatchObject({ effectiveFrom: new Date('2026-01-01T00:00:00Z'), inputMicrosPerMtok: 500_000 });
  });

  it('names the bad field: sub-micro prices, missing or out-of-order dates, unknown fields', () => {
    const issues = (value: unknown) =>
      pricingSchema.safeParse(value).error!.issues.map((issue) => `${formatConfigPath(issue.path)}: ${issue.message}`);
    expect(issues({ input_per_mtok: 0.0000001, output_per_mtok: 1 })[0]).toContain(
      'input_per_mtok: must be a non-negative USD amount',
    );
    expect(
      issues([
        { effective_from: '2026-02-01', input_per_mtok: 1, output_per_mtok: 1 },
        { effective_from: '2026-01-01', input_per_mtok: 1, output_per_mtok: 1 },
        { input_per_mtok: 1, output_per_mtok: 1 },
      ]),
    ).toEqual([
      '[1].effective_from: must be later than the previous price',
      '[2].effective_from: required on every price but the first',
    ]);
    expect(issues({ input: 1, input_per_mtok: 1, output_per_mtok: 1 })[0]).toContain('input');
  });
});
