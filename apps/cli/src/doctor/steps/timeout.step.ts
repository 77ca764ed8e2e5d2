import { DoctorStep, Evidence, fail, pass } from '../doctor-run';
import { chatBody } from '../evidence';
import { ProbeFailure } from '../probe';
import { evidenceRecords } from '../records';

/** Beyond its timeout, a client that is still waiting was not protected by it. */
const GRACE_MS = 2_000;

/**
 * Step 7 (`--timeout-check`): a completion with a client timeout of a quarter of the measured chat latency
 * (latencies vary; a quarter is rarely beaten), to show how a timeout surfaces to the client and, on a
 * Switchyard with an admin key, in the evidence.
 */
export const timeoutStep: DoctorStep = {
  name: 'timeout',
  async run(run) {
    const timeoutMs = Math.max(1, Math.floor((run.facts.chatLatencyMs ?? 200) / 4));
    const startedAt = Date.now();
    let surfaced: ProbeFailure;
    try {
      const response = await run.probe.request({
        path: '/chat/completions',
        key: run.settings.key,
        body: chatBody(run.settings.model),
        tag: 'timeout',
        timeoutMs,
      });
      return pass(`answered ${response.status} in ${response.latencyMs} ms, within the ${timeoutMs} ms timeout`, {
        client_timeout_ms: timeoutMs,
        status: response.status,
        latency_ms: response.latencyMs,
      });
    } catch (error) {
      if (!(error instanceof ProbeFailure) || !error.timedOut) throw error;
      surfaced = error;
    }
    const elapsedMs = Date.now() - startedAt;
    const evidence: Evidence = {
      request_type: 'chat.completions (client timeout)',
      client_timeout_ms: timeoutMs,
      surfaced_as: surfaced.surfacedAs,
      elapsed_ms: elapsedMs,
      request_id: run.probe.requestId('timeout'),
    };
    if (elapsedMs > timeoutMs + GRACE_MS) {
      return fail(`the ${timeoutMs} ms client timeout took ${elapsedMs} ms to surface`, evidence);
    }
    const admin = run.admin();
    if ('skipped' in admin) {
      return pass(
        `a ${timeoutMs} ms client timeout surfaced as ${surfaced.surfacedAs} after ${elapsedMs} ms`,
        evidence,
      );
    }
    const [record] = await evidenceRecords(admin, { request_id: run.probe.requestId('timeout') }, 1, 2_000);
    return pass(
      `a ${timeoutMs} ms client timeout surfaced as ${surfaced.surfacedAs} after ${elapsedMs} ms; ` +
        (record
          ? `the gateway recorded status ${String(record.status)}${record.client_aborted ? ' (client went away)' : ''}`
          : 'the gateway kept no record (abandoned before it arrived)'),
      { ...evidence, record: record ?? null },
    );
  },
};
