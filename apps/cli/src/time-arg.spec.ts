import { UsageError } from './cli-errors';
import { parseTimeArg } from './time-arg';

describe('parseTimeArg', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');

  it('reads durations ago and ISO dates and times', () => {
    expect(parseTimeArg('90s', '--since', now)).toBe('2026-03-10T11:58:30.000Z');
    expect(parseTimeArg('1h', '--since', now)).toBe('2026-03-10T11:00:00.000Z');
    expect(parseTimeArg('7d', '--since', now)).toBe('2026-03-03T12:00:00.000Z');
    expect(parseTimeArg('2w', '--since', now)).toBe('2026-02-24T12:00:00.000Z');
    expect(parseTimeArg('2026-03-01', '--since', now)).toBe('2026-03-01T00:00:00.000Z');
    expect(parseTimeArg('2026-03-01T08:30:00+02:00', '--since', now)).toBe('2026-03-01T06:30:00.000Z');
  });

  it('refuses anything else as a usage error naming the option', () => {
    expect(() => parseTimeArg('last week', '--since', now)).toThrow(UsageError);
    expect(() => parseTimeArg('7 days', '--until', now)).toThrow(/^--until: expected a duration ago/);
    expect(() => parseTimeArg('2026-13-45', '--since', now)).toThrow(UsageError);
  });
});
