import { randomBytes } from 'node:crypto';
import { AdminClient, networkReason } from '../http/admin-client';
import { DoctorRun, DoctorSettings, DoctorStep, fail, StepResult } from './doctor-run';
import { Probe } from './probe';
import { Sandbox } from './sandbox';
import { scrub } from './secrets';
import { badKeyStep } from './steps/bad-key.step';
import { balanceStep } from './steps/balance.step';
import { baseUrlStep } from './steps/base-url.step';
import { chatStep } from './steps/chat.step';
import { modelsStep } from './steps/models.step';
import { rateLimitStep } from './steps/rate-limit.step';
import { streamStep } from './steps/stream.step';
import { timeoutStep } from './steps/timeout.step';

/** The launch checklist, in order; `timeout` only when asked for. */
const CHECKLIST: readonly DoctorStep[] = [
  baseUrlStep,
  modelsStep,
  chatStep,
  streamStep,
  badKeyStep,
  balanceStep,
  rateLimitStep,
];

export interface DoctorReport {
  /** False when any step failed; skipped steps do not count against it. */
  ok: boolean;
  steps: StepResult[];
}

/**
 * Runs every step against the endpoint, one after another, and reports each: a step that throws (the
 * endpoint unreachable, an admin call refused) fails with the reason, and the run goes on.
 */
export async function runDoctor(settings: DoctorSettings): Promise<DoctorReport> {
  const run = startRun(settings);
  const steps = settings.timeoutCheck ? [...CHECKLIST, timeoutStep] : CHECKLIST;
  const results: StepResult[] = [];
  for (const step of steps) {
    let outcome;
    try {
      outcome = await step.run(run);
    } catch (error) {
      outcome = fail(scrub(error instanceof Error ? error.message : networkReason(error), run.secrets));
    }
    results.push({ name: step.name, ...outcome });
  }
  return { ok: results.every((result) => result.status !== 'fail'), steps: results };
}

function startRun(settings: DoctorSettings): DoctorRun {
  const runId = randomBytes(4).toString('hex');
  const secrets = [settings.key, ...(settings.adminKey ? [settings.adminKey] : [])];
  const facts = { switchyard: false };
  // Only route headers prove a Switchyard: x-request-id alone is common to many servers.
  const probe = new Probe(
    settings.baseUrl,
    runId,
    settings.requestTimeoutMs,
    () => secrets,
    (headers) => {
      for (const name of headers.keys()) if (name.startsWith('x-switchyard-')) facts.switchyard = true;
    },
  );
  let admin: AdminClient | undefined;
  let sandbox: Promise<Sandbox> | undefined;
  const run: DoctorRun = {
    settings,
    runId,
    probe,
    facts,
    secrets,
    admin() {
      if (!facts.switchyard) {
        return { skipped: 'not a Switchyard (no x-switchyard-* headers): budgets and rate limits are not checked' };
      }
      if (!settings.adminKey) return { skipped: 'no admin key: pass --admin-key-env to check balance and rate limit' };
      // The admin API sits at the site root, beside /v1.
      admin ??= new AdminClient(settings.baseUrl.replace(/\/v1\/*$/, ''), settings.adminKey);
      return admin;
    },
    sandbox() {
      const client = run.admin();
      if ('skipped' in client) return Promise.reject(new Error(client.skipped));
      sandbox ??= Sandbox.create(client, runId, (key) => secrets.push(key));
      return sandbox;
    },
  };
  return run;
}
