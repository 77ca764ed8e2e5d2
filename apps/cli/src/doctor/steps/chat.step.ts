import { DoctorStep, fail, pass } from '../doctor-run';
import { chatBody, modelOf, responseEvidence, usageOf } from '../evidence';

/** Step 3: a non-stream completion: status, served model, latency, usage. */
export const chatStep: DoctorStep = {
  name: 'chat',
  async run(run) {
    const { model, key } = run.settings;
    const response = await run.probe.request({ path: '/chat/completions', key, body: chatBody(model), tag: 'chat' });
    const usage = usageOf(response.json);
    const evidence = { ...responseEvidence(run, response, 'chat.completions', key), usage };
    if (response.status !== 200) return fail(`the completion failed with ${response.status}`, evidence);
    const choice = (response.json as { choices?: Array<{ message?: unknown }> } | undefined)?.choices?.[0];
    if (!choice?.message) return fail('200, but the body is not a chat completion (no choices[0].message)', evidence);
    run.facts.chatLatencyMs = response.latencyMs;
    if (!usage) return fail('200, but no usage was reported: cost cannot be attributed', evidence);
    return pass(
      `200 in ${response.latencyMs} ms from ${modelOf(response.json) ?? 'an unnamed model'}, ` +
        `${String(usage.prompt_tokens)} prompt + ${String(usage.completion_tokens)} completion tokens`,
      evidence,
    );
  },
};
