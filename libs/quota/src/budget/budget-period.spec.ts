import { periodEnd, periodStart } from './budget-period';

const at = (iso: string) => new Date(iso);

describe('budget periods (UTC calendar)', () => {
  it('starts a day at midnight UTC, whatever the local time zone', () => {
    expect(periodStart('daily', at('2026-03-10T23:59:59.999Z'))).toEqual(at('2026-03-10T00:00:00Z'));
    expect(periodEnd('daily', at('2026-03-10T00:00:00Z'))).toEqual(at('2026-03-11T00:00:00Z'));
  });

  it('starts a week on Monday', () => {
    // 2026-03-08 is a Sunday, 2026-03-09 a Monday.
    expect(periodStart('weekly', at('2026-03-08T12:00:00Z'))).toEqual(at('2026-03-02T00:00:00Z'));
    expect(periodStart('weekly', at('2026-03-09T00:00:00Z'))).toEqual(at('2026-03-09T00:00:00Z'));
    expect(periodStart('weekly', at('2026-03-15T23:59:59Z'))).toEqual(at('2026-03-09T00:00:00Z'));
    expect(periodEnd('weekly', at('2026-03-09T00:00:00Z'))).toEqual(at('2026-03-16T00:00:00Z'));
  });

  it('starts a month on the 1st and ends it on the next 1st, across years and short months', () => {
    expect(periodStart('monthly', at('2026-02-28T10:00:00Z'))).toEqual(at('2026-02-01T00:00:00Z'));
    expect(periodEnd('monthly', at('2026-02-01T00:00:00Z'))).toEqual(at('2026-03-01T00:00:00Z'));
    expect(periodEnd('monthly', at('2026-12-01T00:00:00Z'))).toEqual(at('2027-01-01T00:00:00Z'));
  });

  it('never resets a total budget', () => {
    expect(periodStart('total', at('2026-03-10T10:00:00Z'))).toEqual(new Date(0));
    expect(periodEnd('total', new Date(0))).toBeNull();
  });
});
