import { CancelSignal, delay, GatewayError, RouteAttempt, RouteTrace } from '@app/common';
import type { ProviderAdapter, UpstreamCallContext } from '@app/providers';
import { DeploymentConfig, deploymentName, ModelConfig } from '../catalog/catalog.schema';
import type { CatalogGeneration } from '../catalog/catalog-generation';
import { DeploymentHealth, HealthOutcome } from '../health/deployment-health';
import type { RoutePlan } from '../plan/route-plan';
import { RetryBudget } from '../retry/retry-budget';
import { backoffDelayMs, FallbackTrigger, judgeFailure, RetryScope } from '../retry/retry-policy';
import { pickDeployment } from '../selection/deployment-selector';
import { RouteDeadline } from './route-deadline';
import { routeExhaustedError, totalTimeError } from './route-failure';

/** The caller's side of a routed call. */
export interface RouteCall {
  requestId: string;
  /** Aborted when the client disconnects. */
  signal: CancelSignal;
  /** Filled in as the route is walked; complete even when the call fails. */
  trace: RouteTrace;
  /** Which failures another attempt may follow; `any_failure` when unset (see RetryScope). */
  retryScope?: RetryScope;
}

/** One upstream call the route makes. */
export interface Attempt {
  /** The model being served: the requested one or, after a fallback, the fallback. */
  model: ModelConfig;
  deployment: DeploymentConfig;
  adapter: ProviderAdapter;
  context: UpstreamCallContext;
}

/** A successful attempt's result, with the route still open until the response has ended. */
export interface ServedRoute<T> {
  value: T;
  /**
   * Reports how the response ended (a stream can still fail after it was served) and frees the route: the
   * catalog lease, the total-time clock, the deployment's health record. Later calls are ignored.
   */
  end(failure?: unknown): void;
}

interface Served {
  name: string;
  model: ModelConfig;
  probe: boolean;
  record: RouteAttempt;
}

type ModelOutcome<T> = { served: ServedRoute<T> } | { trigger: FallbackTrigger; budgetSpent?: boolean };

/**
 * One request's walk along its route: the requested model, then its fallbacks in order. Within a model it
 * picks an available deployment (untried ones first), retries retryable failures up to `max_attempts`
 * (backing off before calling a deployment that already failed), and asks the process-wide retry budget
 * before every call after the first. Final errors (the client's own 4xx, provider-account problems) end the
 * walk at once; everything happens within the requested model's total_ms.
 */
export class RouteWalk<T> {
  private readonly deadline: RouteDeadline;
  /** Aborted when the client leaves or the total time is up. */
  private readonly signal: CancelSignal;
  private readonly catalog: CatalogGeneration;
  private lastFailure?: unknown;
  private served?: Served;
  private ended = false;

  constructor(
    private readonly plan: RoutePlan,
    private readonly call: RouteCall,
    private readonly run: (attempt: Attempt) => Promise<T>,
    private readonly health: DeploymentHealth,
    private readonly budget: RetryBudget,
  ) {
    this.catalog = plan.catalog;
    // Should the consumer of a served stream never end it, the deadline still frees the route.
    this.deadline = new RouteDeadline(plan.model.timeouts.total_ms, call.signal, () => {
      if (this.served) this.finish('neutral');
    });
    this.signal = this.deadline.signal;
  }

  async walk(): Promise<ServedRoute<T>> {
    try {
      const { route } = this.plan;
      for (let index = 0; index < route.length; index++) {
        const isLast = index === route.length - 1;
        const outcome = await this.tryModel(route[index], isLast);
        if ('served' in outcome) return outcome.served;
        if (outcome.budgetSpent || isLast) break;
        this.call.trace.fallbackReason = outcome.trigger;
      }
      throw this.exhausted();
    } catch (error) {
      this.finish('neutral');
      throw error;
    }
  }

  private async tryModel(model: ModelConfig, isLast: boolean): Promise<ModelOutcome<T>> {
    // Failed attempts per deployment; most requests never fail one, so the map is made at the first failure.
    let failures: Map<string, number> | undefined;
    let trigger: FallbackTrigger = 'circuit_open';
    for (let attempt = 0; attempt < model.retry.max_attempts; attempt++) {
      // Only the last model of the route waits for a cooling deployment; others move on to their fallback.
      // Picking is synchronous: the wait, when there is one, is the only step that needs a promise.
      const deployment = this.pick(model, failures) ?? (isLast ? await this.waitForOne(model, failures) : undefined);
      if (!deployment) return { trigger };
      if (!this.takeBudget()) return { trigger, budgetSpent: true };
      const name = deploymentName(deployment);
      const failed = failures?.get(name) ?? 0;
      if (failed > 0) await this.pause(backoffDelayMs(model.retry, failed));
      const outcome = await this.attempt(model, deployment);
      if ('served' in outcome) return outcome;
      (failures ??= new Map()).set(name, failed + 1);
      trigger = outcome.trigger;
    }
    return { trigger };
  }

  /** An available deployment of the best priority, preferring those that have not failed this request. */
  private pick(model: ModelConfig, failures?: ReadonlyMap<string, number>): DeploymentConfig | undefined {
    const available = model.deployments.filter((deployment) => this.health.isAvailable(deploymentName(deployment)));
    if (!failures) return pickDeployment(available);
    const untried = available.filter((deployment) => !failures.has(deploymentName(deployment)));
    return pickDeployment(untried.length > 0 ? untried : available);
  }

  /**
   * When no deployment is available: waits for the first to come back if that is within max_delay_ms (this
   * is how a short upstream retry-after is honoured), else gives up (undefined).
   */
  private async waitForOne(
    model: ModelConfig,
    failures?: ReadonlyMap<string, number>,
  ): Promise<DeploymentConfig | undefined> {
    for (;;) {
      const waitMs = this.soonestAvailableInMs([model]);
      if (waitMs > model.retry.max_delay_ms || waitMs >= this.deadline.remainingMs) return undefined;
      await this.pause(waitMs);
      const picked = this.pick(model, failures);
      if (picked) return picked;
    }
  }

  /** The first call of a request is free and earns budget; every further call (retry or fallback) spends it. */
  private takeBudget(): boolean {
    const settings = this.catalog.config.retry_budget;
    if (this.call.trace.attempts.length === 0) {
      this.budget.recordFirstAttempt(settings);
      return true;
    }
    return this.budget.tryRetry(settings);
  }

  private async attempt(
    model: ModelConfig,
    deployment: DeploymentConfig,
  ): Promise<{ served: ServedRoute<T> } | { trigger: FallbackTrigger }> {
    this.throwIfStopped();
    const name = deploymentName(deployment);
    const record: RouteAttempt = {
      deployment: name,
      provider: deployment.provider,
      upstreamModel: deployment.model,
      durationMs: 0,
    };
    this.call.trace.attempts.push(record);
    const probe = this.health.startAttempt(name);
    const started = performance.now();
    try {
      const value = await this.run({
        model,
        deployment,
        adapter: this.catalog.adapter(deployment.provider),
        context: {
          requestId: this.call.requestId,
          signal: this.signal,
          connectMs: model.timeouts.connect_ms,
          ttfbMs: model.timeouts.ttfb_ms,
          idleMs: model.timeouts.idle_ms,
        },
      });
      record.status = 200;
      this.call.trace.modelServed = model.name;
      this.call.trace.deployment = name;
      this.served = { name, model, probe, record };
      return { served: { value, end: (failure) => this.end(failure) } };
    } catch (error) {
      noteFailure(record, error);
      if (this.stopped()) {
        this.health.finishAttempt(name, 'neutral', model, probe);
        this.throwIfStopped();
      }
      const verdict = judgeFailure(error, this.call.retryScope);
      this.health.finishAttempt(name, verdict.health, model, probe);
      if (!verdict.retryable) throw error;
      if (verdict.rateLimit) this.health.rateLimited(name, verdict.rateLimit.retryAfterMs, model.health);
      this.lastFailure = error;
      return { trigger: verdict.trigger };
    } finally {
      record.durationMs = Math.round(performance.now() - started);
    }
  }

  /** Ends a served route; a failure after serving (a broken stream) counts against the deployment. */
  private end(failure?: unknown): void {
    if (failure === undefined) return this.finish('success');
    if (this.served) noteFailure(this.served.record, failure);
    this.finish(this.stopped() ? 'neutral' : judgeFailure(failure).health);
  }

  private finish(outcome: HealthOutcome): void {
    if (this.ended) return;
    this.ended = true;
    this.deadline.clear();
    this.plan.release();
    if (this.served) this.health.finishAttempt(this.served.name, outcome, this.served.model, this.served.probe);
  }

  /** With a single attempt, its own error is the most precise answer; otherwise a summary of them all. */
  private exhausted(): unknown {
    if (this.call.trace.attempts.length === 1 && this.lastFailure) return this.lastFailure;
    // retry-after: when the first deployment on the route can take a call again (a probe in flight: soon).
    const waitMs = this.soonestAvailableInMs(this.plan.route);
    return routeExhaustedError(
      this.call.trace,
      Number.isFinite(waitMs) ? Math.max(1, Math.ceil(waitMs / 1000)) : 1,
      this.lastFailure,
    );
  }

  private soonestAvailableInMs(models: readonly ModelConfig[]): number {
    return Math.min(
      ...models.flatMap((model) =>
        model.deployments.map((deployment) => this.health.availableInMs(deploymentName(deployment))),
      ),
    );
  }

  private async pause(ms: number): Promise<void> {
    try {
      await delay(ms, this.signal);
    } catch (error) {
      this.throwIfStopped();
      throw error;
    }
  }

  private stopped(): boolean {
    return this.signal.aborted;
  }

  /** The client left (its reason passes through) or the total time ran out (504 listing the attempts). */
  private throwIfStopped(): void {
    if (this.call.signal.aborted) throw this.call.signal.reason;
    if (this.deadline.expired) throw totalTimeError(this.deadline.totalMs, this.call.trace);
  }
}

function noteFailure(record: RouteAttempt, error: unknown): void {
  if (!(error instanceof GatewayError)) return;
  record.errorCode = error.code;
  record.status ??= error.options.upstreamStatus;
}
