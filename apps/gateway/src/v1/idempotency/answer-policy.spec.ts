import { GatewayError } from '@app/common';
import { keepsAnswer } from './answer-policy';

describe('keepsAnswer', () => {
  const failure = new GatewayError('upstream_error', 'the upstream failed mid-stream');

  it('keeps a success the client received whole', () => {
    expect(keepsAnswer(200, true, undefined)).toBe(true);
  });

  it('keeps 4xx answers about the request itself', () => {
    for (const status of [400, 403, 404, 413, 422]) expect(keepsAnswer(status, true, failure)).toBe(true);
  });

  it('releases answers a retry may change: 402, 408, 409, 429 and every 5xx', () => {
    for (const status of [402, 408, 409, 429, 500, 502, 503, 504])
      expect(keepsAnswer(status, true, failure)).toBe(false);
  });

  it('releases a stream that failed after it began, and any answer the client did not receive whole', () => {
    expect(keepsAnswer(200, true, failure)).toBe(false);
    expect(keepsAnswer(200, false, undefined)).toBe(false);
  });
});
