import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/common';
import { deploymentName, HealthSettings, ModelConfig } from '../catalog/catalog.schema';

/** How an attempt went, as far as the deployment's health is concerned. */
export type HealthOutcome =
  /** The deployment answered properly (a client error counts: the server is alive). */
  | 'success'
  /** The deployment is at fault: unreachable, slow, 5xx, broken stream, rejected provider key. */
  | 'failure'
  /** Says nothing about the deployment: the client left, the request ran out of time, a rate limit. */
  | 'neutral';

/** Cool-down after a 429 that named no retry-after: long enough that no retry follows at once. */
const RATE_LIMIT_COOLDOWN_MS = 1_000;

interface DeploymentState {
  consecutiveFailures: number;
  /** Set while ejected; once it has passed, one probe may go out. */
  ejectedUntil?: number;
  probeInFlight: boolean;
  /** Ejections without a calm period in between; each doubles the next cool-down. */
  ejections: number;
  /** Every ejection since the process started (for metrics). */
  ejectionsTotal: number;
  readmittedAt?: number;
  rateLimitedUntil?: number;
}

/**
 * Passive health per deployment (keyed `provider/model`, so state survives catalog reloads): consecutive
 * failures eject a deployment for a cool-down that doubles on repeated ejection, then a single probe request
 * readmits it or ejects it again. A model never has more than half of its deployments ejected, so a
 * provider-wide blip cannot empty the pool. Upstream rate limits cool a deployment for their retry-after.
 */
@Injectable()
export class DeploymentHealth {
  private readonly logger = new Logger(DeploymentHealth.name);
  private readonly states = new Map<string, DeploymentState>();

  constructor(private readonly clock: Clock) {}

  /** Whether a new attempt may go to the deployment now. */
  isAvailable(name: string): boolean {
    return this.availableInMs(name) === 0;
  }

  /** How long until the deployment can take an attempt: 0 if it can now, `Infinity` while its probe is out. */
  availableInMs(name: string): number {
    const state = this.states.get(name);
    if (!state) return 0;
    const ejectedUntil = state.ejectedUntil === undefined ? 0 : state.probeInFlight ? Infinity : state.ejectedUntil;
    return Math.max(0, ejectedUntil - this.now(), (state.rateLimitedUntil ?? 0) - this.now());
  }

  /** Notes an attempt's start; true when it is the probe whose result readmits an ejected deployment. */
  startAttempt(name: string): boolean {
    const state = this.states.get(name);
    if (!state || state.ejectedUntil === undefined || state.probeInFlight || this.now() < state.ejectedUntil)
      return false;
    state.probeInFlight = true;
    return true;
  }

  finishAttempt(name: string, outcome: HealthOutcome, model: ModelConfig, probe: boolean): void {
    const state = this.state(name);
    if (probe) state.probeInFlight = false;
    if (outcome === 'neutral') return;
    if (outcome === 'success') {
      state.consecutiveFailures = 0;
      if (probe) {
        state.ejectedUntil = undefined;
        state.readmittedAt = this.now();
        this.logger.log({ deployment: name }, 'deployment readmitted after a successful probe');
      }
      return;
    }
    state.consecutiveFailures++;
    if (probe) {
      this.eject(name, state, model.health);
    } else if (
      state.ejectedUntil === undefined &&
      state.consecutiveFailures >= model.health.failure_threshold &&
      this.mayEjectOneMore(model)
    ) {
      this.eject(name, state, model.health);
    }
  }

  /** Each deployment that has had an attempt: its ejections since start, and whether it is ejected now. */
  snapshot(): Array<{ deployment: string; ejections: number; ejected: boolean }> {
    return [...this.states].map(([deployment, state]) => ({
      deployment,
      ejections: state.ejectionsTotal,
      ejected: state.ejectedUntil !== undefined,
    }));
  }

  /** Keeps new attempts away until the upstream's retry-after has passed. */
  rateLimited(name: string, retryAfterMs: number | undefined, health: HealthSettings): void {
    const state = this.state(name);
    const until = this.now() + Math.min(retryAfterMs ?? RATE_LIMIT_COOLDOWN_MS, health.max_cooldown_ms);
    state.rateLimitedUntil = Math.max(state.rateLimitedUntil ?? 0, until);
  }

  private mayEjectOneMore(model: ModelConfig): boolean {
    const ejected = model.deployments.filter(
      (deployment) => this.states.get(deploymentName(deployment))?.ejectedUntil !== undefined,
    ).length;
    return ejected + 1 <= Math.floor(model.deployments.length / 2);
  }

  private eject(name: string, state: DeploymentState, health: HealthSettings): void {
    const now = this.now();
    // A deployment that stayed healthy for a full maximum cool-down starts again from the shortest one.
    if (state.readmittedAt !== undefined && now - state.readmittedAt >= health.max_cooldown_ms) state.ejections = 0;
    const cooldownMs = Math.min(health.cooldown_ms * 2 ** state.ejections, health.max_cooldown_ms);
    state.ejections++;
    state.ejectionsTotal++;
    state.ejectedUntil = now + cooldownMs;
    this.logger.warn(
      { deployment: name, cooldownMs, consecutiveFailures: state.consecutiveFailures },
      'deployment ejected',
    );
  }

  private state(name: string): DeploymentState {
    let state = this.states.get(name);
    if (!state) {
      state = { consecutiveFailures: 0, probeInFlight: false, ejections: 0, ejectionsTotal: 0 };
      this.states.set(name, state);
    }
    return state;
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
