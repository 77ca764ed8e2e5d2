import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { KeyStreamLimit } from './key-stream-limit';

const response = () => new EventEmitter() as unknown as ServerResponse;
const settings = (maxStreamsPerKey: number) =>
  ({ overload: { maxInFlight: 0, maxLagMs: 0, maxStreamsPerKey } }) as never;

describe('KeyStreamLimit', () => {
  it('refuses a key its stream past the limit with 429 and retry-after, and counts a stream out when it closes', () => {
    const limit = new KeyStreamLimit(settings(2));
    const first = response();
    expect(limit.open('key-a', first)).toBeUndefined();
    expect(limit.open('key-a', response())).toBeUndefined();
    expect(limit.open('key-a', response())).toMatchObject({
      code: 'rate_limit_exceeded',
      status: 429,
      options: { retryAfterSeconds: 1 },
    });
    expect(limit.open('key-b', response())).toBeUndefined();
    first.emit('close');
    expect(limit.open('key-a', response())).toBeUndefined();
  });

  it('has no limit at 0', () => {
    const limit = new KeyStreamLimit(settings(0));
    for (let i = 0; i < 1_000; i++) expect(limit.open('key-a', response())).toBeUndefined();
  });
});
