import { CompletedRequest, GatewayError, RequestContext } from '@app/common';
import { testPrincipal } from '@app/common/testing';
import { GatewayMetrics } from './gateway-metrics';

const principal = testPrincipal({
  keyId: '0b6e9a8e-key-id',
  maskedKey: 'sy-prod-AbCd…wxyz',
  keyName: 'ci',
  projectId: 'project-id',
  teamId: 'team-id',
  environment: 'production',
});

function completed(context: Partial<RequestContext>, facts: Partial<CompletedRequest> = {}): CompletedRequest {
  return {
    context: { requestId: 'r', receivedAt: 1_000, costMicroUsd: null, principal, ...context },
    method: 'POST',
    endpoint: '/v1/chat/completions',
    status: 200,
    clientAborted: false,
    stream: false,
    endedAt: 1_500,
    clientIp: '127.0.0.1',
    userAgent: null,
    endUser: null,
    ...facts,
  };
}

const served = {
  modelRequested: 'fast',
  modelServed: 'gpt-test',
  deployment: 'openai/gpt-test',
  attempts: [
    { deployment: 'openai/gpt-test', provider: 'openai', upstreamModel: 'gpt-test', status: 200, durationMs: 450 },
  ],
};

describe('GatewayMetrics', () => {
  let metrics: GatewayMetrics;
  beforeEach(() => (metrics = new GatewayMetrics()));

  it('observes a served stream: request, duration, time to first token, overhead, tokens, cost', async () => {
    metrics.observe(
      completed(
        {
          api: 'chat',
          trace: served,
          firstByteAt: 1_480,
          usage: { promptTokens: 10, cachedTokens: 0, completionTokens: 3, reasoningTokens: 0, source: 'provider' },
          costMicroUsd: 42,
        },
        { stream: true },
      ),
    );
    const text = await metrics.registry.metrics();
    const chat = 'api="chat",gen_ai_operation_name="chat",gen_ai_request_model="fast"';
    expect(text).toContain(
      `switchyard_requests_total{${chat},deployment="openai/gpt-test",http_response_status_code="200",error_type=""} 1`,
    );
    expect(text).toContain(`gen_ai_server_request_duration_seconds_sum{${chat},error_type=""} 0.5`);
    expect(text).toContain(`gen_ai_server_time_to_first_token_seconds_sum{${chat}} 0.48`);
    // 480 ms to the first event, 450 of them upstream.
    expect(text).toContain('switchyard_gateway_overhead_seconds_sum{api="chat",gen_ai_operation_name="chat"} 0.03');
    expect(text).toContain(`gen_ai_client_token_usage_sum{${chat},gen_ai_token_type="input"} 10`);
    expect(text).toContain(`gen_ai_client_token_usage_sum{${chat},gen_ai_token_type="output"} 3`);
    expect(text).toContain('switchyard_cost_micro_usd_total{api="chat",gen_ai_request_model="fast"} 42');
    expect(text).toContain(
      'switchyard_upstream_attempts_total{deployment="openai/gpt-test",http_response_status_code="200",error_type=""} 1',
    );
  });

  it('labels each request with its inbound API, and requests that were not model calls with none', async () => {
    metrics.observe(completed({ api: 'embeddings', trace: served }, { endpoint: '/v1/embeddings' }));
    metrics.observe(completed({ api: 'messages', trace: served }, { endpoint: '/v1/messages' }));
    metrics.observe(completed({}, { method: 'GET', endpoint: '/v1/models' }));
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'switchyard_requests_total{api="embeddings",gen_ai_operation_name="embeddings",gen_ai_request_model="fast",',
    );
    expect(text).toContain(
      'gen_ai_server_request_duration_seconds_count{api="messages",gen_ai_operation_name="chat",gen_ai_request_model="fast",error_type=""} 1',
    );
    expect(text).toContain(
      'switchyard_requests_total{api="none",gen_ai_operation_name="list_models",gen_ai_request_model="",',
    );
  });

  it('labels failures by error code, counts quota rejections, and keeps client-chosen names and key material out', async () => {
    metrics.observe(
      completed(
        {
          trace: { modelRequested: 'no-such-model-xyz', attempts: [] },
          error: new GatewayError('model_not_found', 'nope'),
        },
        { status: 404 },
      ),
    );
    metrics.observe(completed({ error: new GatewayError('rate_limit_exceeded', 'slow down') }, { status: 429 }));
    metrics.observe(completed({ trace: served }, { status: 200, stream: true, clientAborted: true }));
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_response_status_code="404",error_type="model_not_found"} 1');
    expect(text).toContain('switchyard_quota_rejections_total{reason="rate_limit_exceeded"} 1');
    expect(text).toContain('error_type="client_aborted"} 1');
    for (const secret of [
      'no-such-model-xyz',
      principal.keyId,
      principal.maskedKey,
      principal.teamId,
      principal.projectId,
    ])
      expect(text).not.toContain(secret);
  });

  it('counts fallbacks from the requested to the served model, by what ended the requested model', async () => {
    metrics.observe(completed({ trace: { ...served, modelRequested: 'gpt-primary', fallbackReason: 'upstream_5xx' } }));
    expect(await metrics.registry.metrics()).toContain(
      'switchyard_fallbacks_total{gen_ai_request_model="gpt-primary",gen_ai_response_model="gpt-test",reason="upstream_5xx"} 1',
    );
  });

  it('asks readiness at scrape time', async () => {
    let ready = true;
    metrics.watchReadiness(() => Promise.resolve(ready));
    expect(await metrics.registry.metrics()).toContain('switchyard_ready 1');
    ready = false;
    expect(await metrics.registry.metrics()).toContain('switchyard_ready 0');
  });

  it('mirrors deployment ejections at scrape time', async () => {
    const deployments = [
      { deployment: 'openai/gpt-test', ejections: 0, ejected: false },
      { deployment: 'down/gpt-primary', ejections: 2, ejected: true },
    ];
    metrics.watchDeploymentHealth(() => deployments);
    let text = await metrics.registry.metrics();
    expect(text).toContain('switchyard_deployment_ejections_total{deployment="down/gpt-primary"} 2');
    expect(text).not.toContain('switchyard_deployment_ejections_total{deployment="openai/gpt-test"}');
    expect(text).toContain('switchyard_deployment_ejected{deployment="down/gpt-primary"} 1');
    deployments[1].ejected = false;
    text = await metrics.registry.metrics();
    expect(text).toContain('switchyard_deployment_ejected{deployment="down/gpt-primary"} 0');
    expect(text).toContain('switchyard_deployment_ejections_total{deployment="down/gpt-primary"} 2');
  });

  it('mirrors the evidence writer at scrape time', async () => {
    const stats = { buffered: 7, written: 100, dropped: 0, failedWrites: 2 };
    metrics.watchEvidenceWriter(() => stats);
    expect(await metrics.registry.metrics()).toContain('switchyard_evidence_buffer_rows 7');
    stats.dropped = 3;
    stats.written = 150;
    const text = await metrics.registry.metrics();
    expect(text).toContain('switchyard_evidence_dropped_rows_total 3');
    expect(text).toContain('switchyard_evidence_written_rows_total 150');
    expect(text).toContain('switchyard_evidence_write_failures_total 2');
  });
});
