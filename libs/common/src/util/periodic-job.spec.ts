import { PeriodicJob } from './periodic-job';

/** A job whose turns end when the test says so. */
function gatedJob() {
  const gates: Array<() => void> = [];
  const job = jest.fn(() => new Promise<void>((resolve) => gates.push(resolve)));
  return { job, openNext: () => gates.shift()!() };
}

const turnOfTheLoop = () => new Promise((resolve) => setImmediate(resolve));

describe('PeriodicJob', () => {
  afterEach(() => jest.useRealTimers());

  it('runs a turn every interval until stopped', async () => {
    jest.useFakeTimers();
    const job = jest.fn(() => Promise.resolve());
    const periodic = new PeriodicJob(job, () => undefined);
    periodic.start(1_000);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(job).toHaveBeenCalledTimes(3);
    await periodic.stop();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(job).toHaveBeenCalledTimes(3);
  });

  it("keeps no reference on the process: its timer is unref'd", async () => {
    const timers: NodeJS.Timeout[] = [];
    const realSetInterval = global.setInterval;
    jest.spyOn(global, 'setInterval').mockImplementation(((callback: () => void, ms: number) => {
      const timer = realSetInterval(callback, ms);
      timers.push(timer);
      return timer;
    }) as typeof setInterval);
    const periodic = new PeriodicJob(
      () => Promise.resolve(),
      () => undefined,
    );
    periodic.start(60_000);
    expect(timers).toHaveLength(1);
    expect(timers[0].hasRef()).toBe(false);
    await periodic.stop();
    jest.restoreAllMocks();
  });

  it('never runs two turns at once: a call while one runs joins it', async () => {
    const { job, openNext } = gatedJob();
    const periodic = new PeriodicJob(job, () => undefined);
    const first = periodic.runNow();
    const joined = periodic.runNow();
    expect(joined).toBe(first);
    expect(job).toHaveBeenCalledTimes(1);
    openNext();
    await first;
    const next = periodic.runNow();
    expect(job).toHaveBeenCalledTimes(2);
    openNext();
    await next;
  });

  it('hands a failing turn to onError, never rejects, and runs the next turn', async () => {
    const errors: unknown[] = [];
    const job = jest
      .fn<Promise<void>, []>()
      .mockRejectedValueOnce(new Error('database down'))
      .mockImplementationOnce(() => {
        throw new Error('thrown before any await');
      })
      .mockResolvedValue(undefined);
    const periodic = new PeriodicJob(job, (error) => errors.push(error));
    await expect(periodic.runNow()).resolves.toBeUndefined();
    await expect(periodic.runNow()).resolves.toBeUndefined();
    await periodic.runNow();
    expect(job).toHaveBeenCalledTimes(3);
    expect(errors.map((error) => (error as Error).message)).toEqual(['database down', 'thrown before any await']);
  });

  it('stop waits for the turn under way, so nothing runs after it has resolved', async () => {
    const { job, openNext } = gatedJob();
    const periodic = new PeriodicJob(job, () => undefined);
    periodic.start(60_000);
    void periodic.runNow();
    let stopped = false;
    const stopping = periodic.stop().then(() => (stopped = true));
    await turnOfTheLoop();
    expect(stopped).toBe(false);
    openNext();
    await stopping;
    expect(stopped).toBe(true);
  });
});
