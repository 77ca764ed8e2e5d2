import type { AdminClient } from '../http/admin-client';
import type { Probe } from './probe';
import type { Sandbox } from './sandbox';

export type StepName = 'base_url' | 'models' | 'chat' | 'stream' | 'bad_key' | 'balance' | 'rate_limit' | 'timeout';
export type StepStatus = 'pass' | 'fail' | 'skip';
export type Evidence = Record<string, unknown>;

export interface StepResult {
  name: StepName;
  status: StepStatus;
  /** One line: what was seen, or what is wrong and how to fix it. */
  detail: string;
  /** The fields support needs: status, model, request type, latency, masked key, raw error text, … */
  evidence: Evidence;
}

export type StepOutcome = Omit<StepResult, 'name'>;

export const pass = (detail: string, evidence: Evidence = {}): StepOutcome => ({ status: 'pass', detail, evidence });
export const fail = (detail: string, evidence: Evidence = {}): StepOutcome => ({ status: 'fail', detail, evidence });
export const skip = (detail: string): StepOutcome => ({ status: 'skip', detail, evidence: {} });

export interface DoctorSettings {
  /** As the user gave it: an SDK's base_url, e.g. `https://gateway.example.com/v1`. */
  baseUrl: string;
  key: string;
  model: string;
  adminKey?: string;
  timeoutCheck: boolean;
  requestTimeoutMs: number;
}

/** What earlier steps learned that later ones use. */
export interface DoctorFacts {
  /** A response carried `x-switchyard-*` headers. */
  switchyard: boolean;
  /** The non-stream completion's latency, to size the timeout check. */
  chatLatencyMs?: number;
}

/** One doctor run: the settings, the probe of the endpoint, what was learned, the admin side if any. */
export interface DoctorRun {
  settings: DoctorSettings;
  /** Tags every request's `x-request-id`, so the gateway's records of this run can be found. */
  runId: string;
  probe: Probe;
  facts: DoctorFacts;
  /** Every key in play (the user's, the admin key, throw-away keys): masked wherever one shows up. */
  secrets: string[];
  /** The Switchyard admin API, when the endpoint is one and an admin key was given; else why not. */
  admin(): AdminClient | { skipped: string };
  /** Throw-away team and project for the balance and rate-limit steps, made on first use. */
  sandbox(): Promise<Sandbox>;
}

export interface DoctorStep {
  name: StepName;
  run(run: DoctorRun): Promise<StepOutcome>;
}
