import { DoctorStep, fail, pass, skip } from '../doctor-run';
import { chatBody, responseEvidence } from '../evidence';
import { openAiError } from '../probe';
import { evidenceRecords } from '../records';

/** One micro-dollar: no priced request fits, so the very first one must be refused. */
const TINY_BUDGET_USD = 0.000001;

/**
 * Step 6a (Switchyard with an admin key): a throw-away key with a tiny budget gets 402
 * `insufficient_quota` with `x-should-retry: false`, and its evidence record says so.
 */
export const balanceStep: DoctorStep = {
  name: 'balance',
  async run(run) {
    const admin = run.admin();
    if ('skipped' in admin) return skip(admin.skipped);
    const sandbox = await run.sandbox();
    return sandbox.withKey('balance', async (issued) => {
      const budget = await sandbox.setBudget(issued.id, TINY_BUDGET_USD);
      const response = await run.probe.request({
        path: '/chat/completions',
        key: issued.key,
        body: chatBody(run.settings.model),
        tag: 'balance',
      });
      const error = openAiError(response.json);
      const shouldRetry = response.headers.get('x-should-retry');
      const evidence = {
        ...responseEvidence(run, response, 'chat.completions (budget exhausted)', issued.key),
        budget_usd: TINY_BUDGET_USD,
        error_code: error?.code ?? null,
        x_should_retry: shouldRetry,
        records: await evidenceRecords(admin, { key_id: issued.id }, 1),
      };
      if (response.status < 400) {
        const why = budget.warnings?.[0] ?? `is ${run.settings.model} priced? A budget cannot limit an unpriced model`;
        return fail(`a request over its budget was served (${response.status}): ${why}`, evidence);
      }
      if (response.status !== 402) return fail(`an exhausted budget answered ${response.status}, not 402`, evidence);
      if (error?.code !== 'insufficient_quota') return fail('402 without the insufficient_quota error code', evidence);
      if (shouldRetry !== 'false') return fail('402 without x-should-retry: false: SDKs would retry it', evidence);
      return pass(
        `402 insufficient_quota with x-should-retry: false; ${evidence.records.length} evidence record(s); key revoked`,
        evidence,
      );
    });
  },
};
