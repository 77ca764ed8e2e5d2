import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { RequestContext } from '@app/common';
import { clientTakes, cutIfStalled } from './client-stall';

/** A response whose buffered bytes the test sets, as a client taking them (or not) would. */
class FakeResponse extends EventEmitter {
  writableLength = 64 * 1024;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  destroy = jest.fn(() => {
    this.destroyed = true;
    this.emit('close');
  });
}

const STALL_MS = 1_000;

describe('clientTakes', () => {
  let response: FakeResponse;
  let context: RequestContext;

  beforeEach(() => {
    jest.useFakeTimers();
    response = new FakeResponse();
    context = { requestId: 'r1', receivedAt: 0, costMicroUsd: null };
  });
  afterEach(() => jest.useRealTimers());

  const wait = () => clientTakes(response as unknown as ServerResponse, 'drain', context, STALL_MS);

  it('resolves when the client drains, and cuts nobody', async () => {
    const taken = wait();
    jest.advanceTimersByTime(STALL_MS - 1);
    response.emit('drain');
    await taken;
    jest.advanceTimersByTime(STALL_MS * 5);
    expect(response.destroy).not.toHaveBeenCalled();
    expect(context.error).toBeUndefined();
    expect(response.listenerCount('drain') + response.listenerCount('close')).toBe(0);
  });

  it('cuts a client that takes nothing for the stall limit, recording client_stalled', async () => {
    const taken = wait();
    jest.advanceTimersByTime(STALL_MS);
    await taken;
    expect(response.destroy).toHaveBeenCalledTimes(1);
    expect(context.error).toMatchObject({ code: 'client_stalled' });
    expect(context.error!.message).toContain('1000 ms');
  });

  it('gives a slow reader that keeps taking bytes a new stall limit each time', async () => {
    const taken = wait();
    for (let i = 0; i < 5; i++) {
      response.writableLength -= 1_000;
      jest.advanceTimersByTime(STALL_MS);
    }
    expect(response.destroy).not.toHaveBeenCalled();
    jest.advanceTimersByTime(STALL_MS);
    await taken;
    expect(response.destroy).toHaveBeenCalledTimes(1);
  });

  it('resolves without a cut when the client leaves', async () => {
    const taken = wait();
    response.emit('close');
    await taken;
    jest.advanceTimersByTime(STALL_MS * 2);
    expect(response.destroy).not.toHaveBeenCalled();
    expect(context.error).toBeUndefined();
  });
});

describe('cutIfStalled', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());
  const context = (): RequestContext => ({ requestId: 'r1', receivedAt: 0, costMicroUsd: null });

  it('watches an ended response that is still flushing, and cuts it when the client takes nothing', () => {
    const response = Object.assign(new FakeResponse(), { writableEnded: true });
    const request = context();
    cutIfStalled(response as unknown as ServerResponse, request, STALL_MS);
    jest.advanceTimersByTime(STALL_MS);
    expect(response.destroy).toHaveBeenCalled();
    expect(request.error?.code).toBe('client_stalled');
  });

  it('leaves a flushed, an unfinished or a destroyed response alone', () => {
    const flushed = Object.assign(new FakeResponse(), { writableEnded: true, writableFinished: true });
    const unfinished = new FakeResponse();
    const destroyed = Object.assign(new FakeResponse(), { writableEnded: true, destroyed: true });
    for (const response of [flushed, unfinished, destroyed]) {
      cutIfStalled(response as unknown as ServerResponse, context(), STALL_MS);
      expect(response.listenerCount('finish')).toBe(0);
    }
    jest.advanceTimersByTime(STALL_MS * 2);
    for (const response of [flushed, unfinished, destroyed]) expect(response.destroy).not.toHaveBeenCalled();
  });
});
