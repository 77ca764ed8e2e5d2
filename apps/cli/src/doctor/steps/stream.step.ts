import { DoctorStep, fail, pass } from '../doctor-run';
import { chatBody } from '../evidence';
import { maskSecret } from '../secrets';
import { SseAudit } from '../sse-audit';

/** Step 4: a streamed completion, checked line by line, with the time to the first chunk. */
export const streamStep: DoctorStep = {
  name: 'stream',
  async run(run) {
    const { model, key } = run.settings;
    const { response, startedAt } = await run.probe.open({
      path: '/chat/completions',
      key,
      body: chatBody(model, true),
      tag: 'stream',
    });
    const base = {
      status: response.status,
      request_type: 'chat.completions (stream)',
      key: maskSecret(key),
      request_id: response.headers.get('x-request-id') ?? run.probe.requestId('stream'),
      content_type: response.headers.get('content-type'),
    };
    if (response.status !== 200) {
      const text = await response.text();
      return fail(`the stream failed with ${response.status}`, {
        ...base,
        latency_ms: Date.now() - startedAt,
        error: run.probe.errorText(text),
      });
    }
    const audit = new SseAudit();
    let firstChunkMs: number | null = null;
    let pending = '';
    const decoder = new TextDecoder();
    for await (const bytes of response.body ?? []) {
      firstChunkMs ??= Date.now() - startedAt;
      pending += decoder.decode(bytes as Uint8Array, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach((line) => audit.line(line));
    }
    if (pending) audit.line(pending);
    audit.finish(true);
    const evidence = {
      ...base,
      model: audit.model,
      first_chunk_ms: firstChunkMs,
      latency_ms: Date.now() - startedAt,
      chunks: audit.chunks,
      usage: audit.usage,
      ended_with_done: audit.done,
      ...(audit.problems.length ? { problems: audit.problems.map((problem) => run.probe.errorText(problem)) } : {}),
    };
    if (audit.problems.length > 0) return fail(run.probe.errorText(audit.problems[0]), evidence);
    return pass(
      `${audit.chunks} chunks, first after ${firstChunkMs} ms, usage included, ended with [DONE] after ${evidence.latency_ms} ms`,
      evidence,
    );
  },
};
