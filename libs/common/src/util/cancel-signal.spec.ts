import { CancelSource, delay } from './cancel-signal';

describe('CancelSource', () => {
  it('aborts once with the first reason and calls each listener once', () => {
    const source = new CancelSource();
    const listener = jest.fn();
    source.addEventListener('abort', listener);
    source.cancel('first');
    source.cancel('second');
    expect(source.aborted).toBe(true);
    expect(source.reason).toBe('first');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('does not call a removed listener, nor one added after it aborted', () => {
    const source = new CancelSource();
    const removed = jest.fn();
    const kept = jest.fn();
    source.addEventListener('abort', removed);
    source.addEventListener('abort', kept);
    source.removeEventListener('abort', removed);
    source.cancel('gone');
    const late = jest.fn();
    source.addEventListener('abort', late);
    source.cancel('again');
    expect(removed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
    expect(late).not.toHaveBeenCalled();
  });
});

describe('delay', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves after the time and leaves no listener behind', async () => {
    jest.useFakeTimers();
    const source = new CancelSource();
    const waited = delay(1_000, source);
    jest.advanceTimersByTime(1_000);
    await expect(waited).resolves.toBeUndefined();
    source.cancel('later');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with the reason as soon as the signal aborts, and at once if it already had', async () => {
    jest.useFakeTimers();
    const source = new CancelSource();
    const waited = delay(60_000, source);
    source.cancel(new Error('client left'));
    await expect(waited).rejects.toThrow('client left');
    expect(jest.getTimerCount()).toBe(0);
    await expect(delay(10, source)).rejects.toThrow('client left');
  });
});
