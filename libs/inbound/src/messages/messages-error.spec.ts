import Anthropic from '@anthropic-ai/sdk';
import { ERROR_CODES, ErrorCode, GatewayError } from '@app/common';
import { messagesError } from './messages-error';

/** Every gateway error code → Anthropic status and error type (a new code must be added here). */
const TABLE: Record<ErrorCode, [number, string]> = {
  invalid_request_error: [400, 'invalid_request_error'],
  request_too_large: [413, 'request_too_large'],
  unsupported_media_type: [415, 'invalid_request_error'],
  not_found: [404, 'not_found_error'],
  method_not_allowed: [405, 'invalid_request_error'],
  model_not_found: [404, 'not_found_error'],
  model_kind_mismatch: [400, 'invalid_request_error'],
  conflict: [409, 'invalid_request_error'],
  idempotency_in_progress: [409, 'invalid_request_error'],
  idempotency_key_reused: [422, 'invalid_request_error'],
  idempotency_replay_unavailable: [409, 'invalid_request_error'],
  request_timeout: [408, 'invalid_request_error'],
  client_stalled: [408, 'invalid_request_error'],
  invalid_api_key: [401, 'authentication_error'],
  permission_denied: [403, 'permission_error'],
  model_not_allowed: [403, 'permission_error'],
  key_suspended: [403, 'permission_error'],
  insufficient_quota: [402, 'billing_error'],
  rate_limit_exceeded: [429, 'rate_limit_error'],
  upstream_bad_request: [400, 'invalid_request_error'],
  upstream_auth_error: [502, 'api_error'],
  upstream_rate_limited: [429, 'rate_limit_error'],
  upstream_error: [502, 'api_error'],
  upstream_unavailable: [529, 'overloaded_error'],
  upstream_connection_error: [502, 'api_error'],
  upstream_timeout: [504, 'timeout_error'],
  upstream_quota_exhausted: [502, 'api_error'],
  upstream_invalid_response: [502, 'api_error'],
  service_unavailable: [503, 'api_error'],
  overloaded: [529, 'overloaded_error'],
  internal_error: [500, 'api_error'],
};

/** Sends the rendered error to the real SDK as the gateway's HTTP answer; returns what it throws and how often it asked. */
async function sdkSees(error: GatewayError, maxRetries = 0): Promise<{ thrown: unknown; calls: number }> {
  const rendered = messagesError(error, 'req_42');
  let calls = 0;
  const client = new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: 'http://gateway.test',
    maxRetries,
    fetch: async () => {
      calls++;
      // Only the retry wait is shortened (retry-after-ms wins over retry-after); the retry decision is the SDK's.
      const headers = { 'content-type': 'application/json', ...rendered.headers, 'retry-after-ms': '1' };
      return new Response(JSON.stringify(rendered.body), { status: rendered.status, headers });
    },
  });
  try {
    await client.messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
    });
  } catch (thrown) {
    return { thrown, calls };
  }
  throw new Error('expected the SDK to throw');
}

describe('messagesError', () => {
  it('covers every gateway error code', () => {
    expect(Object.keys(TABLE).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(Object.entries(TABLE))('renders %s as %j', (code, [status, type]) => {
    const rendered = messagesError(new GatewayError(code as ErrorCode, 'What went wrong, and what to do.'));
    expect(rendered.status).toBe(status);
    expect(rendered.body).toEqual({ type: 'error', error: { type, message: 'What went wrong, and what to do.' } });
  });

  it('keeps a status the error carries, and types it by that status', () => {
    const passedThrough = new GatewayError('upstream_bad_request', 'Upstream "openai" returned 404: no such model', {
      status: 404,
    });
    expect(messagesError(passedThrough)).toMatchObject({ status: 404, body: { error: { type: 'not_found_error' } } });
    const tooLarge = new GatewayError('upstream_bad_request', 'too large', { status: 413 });
    expect(messagesError(tooLarge)).toMatchObject({ status: 413, body: { error: { type: 'request_too_large' } } });
  });

  it('sends retry-after, the error’s own headers, and the request id as request-id and in the body', () => {
    const error = new GatewayError('rate_limit_exceeded', 'Rate limit reached for the key. Retry in 7s.', {
      retryAfterSeconds: 7,
      headers: { 'retry-after-ms': '6500' },
    });
    expect(messagesError(error, 'req_42')).toEqual({
      status: 429,
      body: {
        type: 'error',
        error: { type: 'rate_limit_error', message: 'Rate limit reached for the key. Retry in 7s.' },
        request_id: 'req_42',
      },
      headers: { 'retry-after': '7', 'retry-after-ms': '6500', 'request-id': 'req_42' },
    });
    expect(messagesError(new GatewayError('internal_error', 'x')).headers).toEqual({});
  });

  describe('as @anthropic-ai/sdk sees it', () => {
    it.each([
      ['invalid_api_key', Anthropic.AuthenticationError],
      ['model_not_allowed', Anthropic.PermissionDeniedError],
      ['model_not_found', Anthropic.NotFoundError],
      ['invalid_request_error', Anthropic.BadRequestError],
      ['insufficient_quota', Anthropic.PaymentRequiredError],
      ['rate_limit_exceeded', Anthropic.RateLimitError],
      ['upstream_unavailable', Anthropic.OverloadedError],
      ['upstream_timeout', Anthropic.GatewayTimeoutError],
      ['upstream_error', Anthropic.InternalServerError],
    ] as const)('throws %s as %p with the error type, message and request id', async (code, errorClass) => {
      const { thrown } = await sdkSees(new GatewayError(code, `Because ${code}.`));
      expect(thrown).toBeInstanceOf(errorClass);
      const apiError = thrown as InstanceType<typeof Anthropic.APIError>;
      expect(apiError.error).toMatchObject({
        type: 'error',
        error: { type: TABLE[code][1], message: `Because ${code}.` },
      });
      expect(apiError.requestID).toBe('req_42');
    });

    it('does not retry an exhausted budget (402, x-should-retry: false)', async () => {
      const budget = new GatewayError('insufficient_quota', 'The monthly budget of key "ci" is spent.', {
        headers: { 'x-should-retry': 'false' },
      });
      expect((await sdkSees(budget, 2)).calls).toBe(1);
    });

    it.each([
      'rate_limit_exceeded',
      'upstream_rate_limited',
      'upstream_unavailable',
      'upstream_error',
      'upstream_timeout',
      'internal_error',
    ] as const)('lets the SDK retry %s', async (code) => {
      expect((await sdkSees(new GatewayError(code, 'try again', { retryAfterSeconds: 1 }), 1)).calls).toBe(2);
    });

    it('does not retry a client error', async () => {
      expect((await sdkSees(new GatewayError('invalid_request_error', 'max_tokens: …'), 2)).calls).toBe(1);
    });
  });
});
