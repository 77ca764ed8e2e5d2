import { GatewayError } from '@app/common';
import { geminiHttpError, geminiStreamError } from './gemini-error.mapper';

const envelope = (code: number, status: string, message: string, details?: object[]) =>
  JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });

describe('geminiHttpError', () => {
  it('treats an invalid key as the provider credentials problem, though Gemini says 400', () => {
    const byReason = geminiHttpError(
      'g',
      400,
      {},
      envelope(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { reason: 'API_KEY_INVALID' },
      ]),
    );
    const byMessage = geminiHttpError(
      'g',
      400,
      {},
      envelope(400, 'INVALID_ARGUMENT', 'API key expired. Please renew the API key.'),
    );
    for (const error of [byReason, byMessage])
      expect(error).toMatchObject({ code: 'upstream_auth_error', status: 502 });
  });

  it.each([
    [403, 'PERMISSION_DENIED', 'upstream_auth_error', 502],
    [401, 'UNAUTHENTICATED', 'upstream_auth_error', 502],
    [400, 'FAILED_PRECONDITION', 'upstream_auth_error', 502],
    [429, 'RESOURCE_EXHAUSTED', 'upstream_rate_limited', 429],
    [503, 'UNAVAILABLE', 'upstream_unavailable', 503],
    [500, 'INTERNAL', 'upstream_error', 502],
    [504, 'DEADLINE_EXCEEDED', 'upstream_timeout', 504],
    // Some proxies put Gemini's overload behind a 500; the gRPC status still says what happened.
    [500, 'UNAVAILABLE', 'upstream_unavailable', 503],
  ])('maps %d %s to %s (%d)', (status, grpc, code, clientStatus) => {
    expect(geminiHttpError('g', status, {}, envelope(status, grpc, 'msg'))).toMatchObject({
      code,
      status: clientStatus,
    });
  });

  it("passes the client's own mistakes through as 4xx with Gemini's message and status name", () => {
    const error = geminiHttpError(
      'g',
      400,
      {},
      envelope(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified'),
    );
    expect(error).toMatchObject({ code: 'upstream_bad_request', status: 400 });
    expect(error.message).toContain('contents is not specified');
    expect(error.toBody().error.code).toBe('INVALID_ARGUMENT');
    expect(geminiHttpError('g', 404, {}, envelope(404, 'NOT_FOUND', 'models/x is not found'))).toMatchObject({
      code: 'upstream_bad_request',
      status: 404,
    });
  });

  it('turns RetryInfo into retry-after, unless the header says otherwise', () => {
    const body = envelope(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '41.5s' },
    ]);
    expect(geminiHttpError('g', 429, {}, body).options.retryAfterSeconds).toBe(42);
    expect(geminiHttpError('g', 429, { 'retry-after': '3' }, body).options.retryAfterSeconds).toBe(3);
  });

  it('reads an envelope wrapped in an array, and bodies that are not Gemini envelopes', () => {
    const wrapped = geminiHttpError('g', 429, {}, `[${envelope(429, 'RESOURCE_EXHAUSTED', 'slow down')}]`);
    expect(wrapped).toMatchObject({ code: 'upstream_rate_limited' });
    expect(wrapped.message).toContain('slow down');
    const html = geminiHttpError('g', 502, {}, '<html>Bad Gateway</html>');
    expect(html).toMatchObject({ code: 'upstream_error', status: 502 });
  });

  it('never repeats a key Gemini echoes back', () => {
    const error = geminiHttpError(
      'g',
      400,
      {},
      envelope(400, 'INVALID_ARGUMENT', 'Bad field; key AIzaSyA1234567890abcdefghijklmnopqrstu rejected'),
    );
    expect(JSON.stringify(error.options)).not.toContain('AIzaSyA1234567890');
  });
});

describe('geminiStreamError', () => {
  it('recognises an error event and ignores a normal one', () => {
    const error = geminiStreamError('g', {
      error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' },
    });
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('The model is overloaded.'),
    });
    expect(geminiStreamError('g', { candidates: [] })).toBeUndefined();
  });
});
