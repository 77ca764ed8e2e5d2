import {
  budgetUsed,
  formatBytes,
  formatCount,
  formatMicroUsd,
  formatMs,
  formatUsd,
  formatUtc,
  utcMonthStart,
} from './format';

// Node's default locale here is en-US, as in a browser set to it.
describe('console formatting', () => {
  it('keeps a request-sized cost to the micro-dollar and rounds larger amounts to the cent', () => {
    expect(formatMicroUsd(123)).toBe('$0.000123');
    expect(formatUsd(0.5)).toBe('$0.50');
    expect(formatUsd(1234.5678)).toBe('$1,234.57');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatMicroUsd(null)).toBe('—');
  });

  it('writes counts with their unit, singular or plural', () => {
    expect(formatCount(1, 'request')).toBe('1 request');
    expect(formatCount(12345, 'token')).toBe('12,345 tokens');
    expect(formatCount(null, 'token')).toBe('—');
  });

  it('writes durations in the unit that reads best', () => {
    expect(formatMs(850.4)).toBe('850 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });

  it('writes sizes in binary units, as the body limit is set', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MiB');
  });

  it('gives the exact UTC time for the hover text', () => {
    expect(formatUtc('2026-03-10T12:34:56.789123Z')).toBe('2026-03-10 12:34:56.789 UTC');
  });

  it('counts money held for requests in flight as used, and a zero budget with spend as full', () => {
    expect(budgetUsed({ limit_usd: 10, spent_usd: 4, reserved_usd: 1 })).toBe(0.5);
    expect(budgetUsed({ limit_usd: 0, spent_usd: 0.01, reserved_usd: 0 })).toBe(1);
  });

  it('starts the month on the first of the UTC month', () => {
    expect(utcMonthStart(new Date('2026-03-31T23:30:00-05:00'))).toBe('2026-04-01');
  });
});
