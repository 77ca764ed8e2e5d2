import { GatewayError } from '@app/common';
import { anthropicHttpError, anthropicStreamError } from './anthropic-error.mapper';

const envelope = (type: string, message: string) =>
  JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_011C' });

describe('anthropicHttpError', () => {
  it.each([
    [400, 'invalid_request_error', 'max_tokens: Field required', 'upstream_bad_request', 400],
    [404, 'not_found_error', 'model: claude-nope', 'upstream_bad_request', 404],
    [401, 'authentication_error', 'invalid x-api-key', 'upstream_auth_error', 502],
    [
      403,
      'permission_error',
      'Your API key does not have permission to use the specified resource.',
      'upstream_auth_error',
      502,
    ],
    [402, 'billing_error', 'Payment required.', 'upstream_quota_exhausted', 502],
    [
      429,
      'rate_limit_error',
      'Number of request tokens has exceeded your per-minute rate limit',
      'upstream_rate_limited',
      429,
    ],
    [500, 'api_error', 'Internal server error', 'upstream_error', 502],
    [504, 'timeout_error', 'Request timed out', 'upstream_timeout', 504],
    [529, 'overloaded_error', 'Overloaded', 'upstream_unavailable', 503],
  ])('maps %i %s to %s (%i)', (status, type, message, code, clientStatus) => {
    const error = anthropicHttpError('claude', status, {}, envelope(type, message));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code, status: clientStatus });
    expect(error.options.upstreamMessage).toBe(message);
  });

  it('passes the upstream message of a bad request to the client', () => {
    const error = anthropicHttpError(
      'claude',
      400,
      {},
      envelope('invalid_request_error', 'messages.1: `tool_use` ids were found without `tool_result` blocks'),
    );
    expect(error.message).toBe(
      'Upstream "claude" returned 400: messages.1: `tool_use` ids were found without `tool_result` blocks',
    );
    expect(error.toBody().error).toMatchObject({ type: 'invalid_request_error', code: 'upstream_bad_request' });
  });

  it('keeps retry-after on a 429', () => {
    expect(
      anthropicHttpError('claude', 429, { 'retry-after': '17' }, envelope('rate_limit_error', 'slow down')).options
        .retryAfterSeconds,
    ).toBe(17);
  });

  it('treats an exhausted credit balance as the operator account problem it is, not a bad request', () => {
    const error = anthropicHttpError(
      'claude',
      400,
      {},
      envelope('invalid_request_error', 'Your credit balance is too low to access the Anthropic API.'),
    );
    expect(error).toMatchObject({ code: 'upstream_quota_exhausted', status: 502 });
  });

  it('uses the text of a body that is not an Anthropic envelope', () => {
    const error = anthropicHttpError('claude', 413, {}, '<html><body>413 Request Entity Too Large</body></html>');
    expect(error).toMatchObject({ code: 'upstream_bad_request', status: 413 });
    expect(error.message).toContain('413 Request Entity Too Large');
  });
});

describe('anthropicStreamError', () => {
  it('names the Anthropic error type and message, and keeps an overload retryable as upstream_unavailable', () => {
    const error = anthropicStreamError('claude', { type: 'overloaded_error', message: 'Overloaded' });
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503 });
    expect(error.message).toBe('Upstream "claude" failed mid-stream: overloaded_error: Overloaded');
    expect(anthropicStreamError('claude', { type: 'rate_limit_error', message: 'slow down' })).toMatchObject({
      code: 'upstream_rate_limited',
    });
    expect(anthropicStreamError('claude', { type: 'api_error', message: 'boom' })).toMatchObject({
      code: 'upstream_error',
      status: 502,
    });
  });
});
