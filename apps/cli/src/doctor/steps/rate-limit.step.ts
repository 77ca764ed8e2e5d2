import { DoctorStep, fail, pass, skip } from '../doctor-run';
import { chatBody, responseEvidence } from '../evidence';
import { openAiError } from '../probe';
import { evidenceRecords } from '../records';

/**
 * Step 6b (Switchyard with an admin key): a throw-away key limited to one request per minute gets its
 * first request served and the second refused with 429 and `retry-after`; both evidence records are shown.
 */
export const rateLimitStep: DoctorStep = {
  name: 'rate_limit',
  async run(run) {
    const admin = run.admin();
    if ('skipped' in admin) return skip(admin.skipped);
    const sandbox = await run.sandbox();
    return sandbox.withKey('rate limit', async (issued) => {
      await sandbox.setRpm(issued.id, 1);
      const send = (tag: string) =>
        run.probe.request({ path: '/chat/completions', key: issued.key, body: chatBody(run.settings.model), tag });
      const first = await send('rate-limit-1');
      const second = await send('rate-limit-2');
      const retryAfter = second.headers.get('retry-after');
      const evidence = {
        ...responseEvidence(run, second, 'chat.completions (over rpm 1)', issued.key),
        first_status: first.status,
        error_code: openAiError(second.json)?.code ?? null,
        retry_after: retryAfter,
        retry_after_ms: second.headers.get('retry-after-ms'),
        records: await evidenceRecords(admin, { key_id: issued.id }, 2),
      };
      if (first.status !== 200) {
        return fail(`the first request under rpm 1 failed with ${first.status}`, {
          ...evidence,
          first_error: run.probe.errorText(first.text),
        });
      }
      if (second.status !== 429)
        return fail(`a second request within the minute got ${second.status}, not 429`, evidence);
      if (!retryAfter) return fail('429 without retry-after: clients cannot tell when to retry', evidence);
      return pass(`second request: 429 with retry-after: ${retryAfter} s; key revoked`, evidence);
    });
  },
};
