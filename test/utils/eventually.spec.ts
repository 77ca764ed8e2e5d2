import { eventually } from './eventually';

describe('eventually', () => {
  it('returns the first value accepted, reading again until then (synchronous reads too)', async () => {
    let reads = 0;
    expect(
      await eventually(
        () => ++reads,
        (n) => n === 3,
      ),
    ).toBe(3);
    expect(
      await eventually(
        async () => 'ready',
        (text) => text === 'ready',
      ),
    ).toBe('ready');
  });

  it('returns the last value read once the timeout given has passed', async () => {
    let reads = 0;
    const started = Date.now();
    expect(
      await eventually(
        () => ++reads,
        () => false,
        200,
      ),
    ).toBe(reads);
    expect(reads).toBeGreaterThan(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });
});
