import { CompletedRequest, GatewayError, RequestContext } from '@app/common';
import { requestRecordFrom } from './request-record';

const ARRIVED = Date.parse('2025-03-04T05:06:07.000Z') + 0.123;

function completed(context: Partial<RequestContext> = {}, facts: Partial<CompletedRequest> = {}): CompletedRequest {
  return {
    context: { requestId: 'req_1', receivedAt: ARRIVED, costMicroUsd: null, ...context },
    method: 'POST',
    endpoint: '/v1/chat/completions',
    status: 200,
    clientAborted: false,
    stream: false,
    endedAt: ARRIVED + 250.4,
    clientIp: '127.0.0.1',
    userAgent: 'curl/8',
    endUser: null,
    ...facts,
  };
}

describe('requestRecordFrom', () => {
  it('gives each record its own random (version 4) UUID, the id column being a Postgres uuid', () => {
    const ids = Array.from({ length: 2_000 }, () => requestRecordFrom(completed()).id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Every variant digit occurs: the two random bits under the variant are not lost.
    expect(new Set(ids.map((id) => id[19])).size).toBe(4);
  });

  it('keeps the arrival to the microsecond, the caller, the route and the usage', () => {
    const record = requestRecordFrom(
      completed({
        api: 'chat',
        principal: {
          keyId: 'k1',
          maskedKey: 'sy-prod-AbCd…wxyz',
          keyName: 'ci',
          owner: 'alice@example.com',
          projectId: 'p1',
          teamId: 't1',
          environment: 'production',
          allowedModels: null,
          allowedTiers: null,
          projectAllowedModels: null,
          projectAllowedTiers: null,
        },
        modelRequested: 'fast',
        trace: {
          modelRequested: 'fast',
          modelServed: 'gpt-test',
          deployment: 'openai/gpt-test',
          attempts: [
            {
              deployment: 'openai/gpt-test',
              provider: 'openai',
              upstreamModel: 'gpt-test',
              status: 503,
              errorCode: 'upstream_unavailable',
              durationMs: 12,
            },
            {
              deployment: 'openai/gpt-test',
              provider: 'openai',
              upstreamModel: 'gpt-test',
              status: 200,
              durationMs: 80,
            },
          ],
        },
        usage: { promptTokens: 10, cachedTokens: 4, completionTokens: 7, reasoningTokens: 2, source: 'provider' },
        costMicroUsd: 1234,
        tags: { feature: 'checkout' },
      }),
    );
    expect(record).toMatchObject({
      created_at: '2025-03-04T05:06:07.000123Z',
      request_id: 'req_1',
      key_id: 'k1',
      masked_key: 'sy-prod-AbCd…wxyz',
      owner: 'alice@example.com',
      team_id: 't1',
      project_id: 'p1',
      environment: 'production',
      api: 'chat',
      model_requested: 'fast',
      model_served: 'gpt-test',
      attempts: [
        { deployment: 'openai/gpt-test', status: 503, error_code: 'upstream_unavailable', duration_ms: 12 },
        { deployment: 'openai/gpt-test', status: 200, error_code: null, duration_ms: 80 },
      ],
      latency_ms: 250,
      ttfb_ms: 250,
      prompt_tokens: 10,
      cached_tokens: 4,
      completion_tokens: 7,
      reasoning_tokens: 2,
      usage_source: 'provider',
      cost_micro_usd: 1234,
      tags: { feature: 'checkout' },
    });
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestRecordFrom(completed()).id).not.toBe(requestRecordFrom(completed()).id);
  });

  it('records the inbound API, and none for a request that was not a model call', () => {
    expect(requestRecordFrom(completed({ api: 'embeddings' }, { endpoint: '/v1/embeddings' })).api).toBe('embeddings');
    expect(requestRecordFrom(completed({}, { method: 'GET', endpoint: '/v1/models' })).api).toBeNull();
  });

  it('records the error the client got with the upstream’s words, scrubbed and bounded', () => {
    const error = new GatewayError('upstream_bad_request', 'Upstream said no', {
      status: 400,
      upstreamMessage: `Incorrect API key provided: sk-proj-abcdefghijklmnop. ${'x'.repeat(600)}`,
    });
    const record = requestRecordFrom(completed({ error }, { status: 400 }));
    expect(record).toMatchObject({
      status: 400,
      error_type: 'invalid_request_error',
      error_code: 'upstream_bad_request',
    });
    expect(record.upstream_message).toMatch(/^Incorrect API key provided: \[redacted\]\. x+…$/);
    expect(record.upstream_message!.length).toBe(501);
  });

  it('scrubs keys pasted into the path, the user agent, the user field and tags', () => {
    const key = 'sy-test-0123456789abcdefghijklmnopqrstuvWX';
    const record = requestRecordFrom(
      completed({ tags: { pasted: key } }, { endpoint: `/v1/${key}/chat`, userAgent: `bot ${key}`, endUser: key }),
    );
    expect(JSON.stringify(record)).not.toContain(key);
    expect(record.endpoint).toBe('/v1/[redacted]/chat');
  });

  it('strips NUL characters, which Postgres text refuses, and keeps only a valid client IP', () => {
    const record = requestRecordFrom(
      completed({ modelRequested: 'gpt\u0000-test' }, { endUser: 'user\u00001', clientIp: 'unknown' }),
    );
    expect(record).toMatchObject({ model_requested: 'gpt-test', end_user: 'user1', client_ip: null });
    expect(requestRecordFrom(completed({}, { clientIp: '::ffff:10.0.0.7' })).client_ip).toBe('::ffff:10.0.0.7');
  });

  it('times a stream to its first event, and has no time to first byte when nothing was sent', () => {
    expect(requestRecordFrom(completed({ firstByteAt: ARRIVED + 40.2 }, { stream: true })).ttfb_ms).toBe(40);
    const left = requestRecordFrom(completed({}, { status: 499, clientAborted: true }));
    expect(left).toMatchObject({ status: 499, client_aborted: true, ttfb_ms: null, latency_ms: 250 });
  });
});
