import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, Principal, requestContext } from '@app/common';
import { measurePromptInTurns, promptTokenEstimate, requestedOutputTokens } from '../estimate/prompt-size';
import { QUOTA_LEVELS, scopeIdOf } from '../levels';
import { QuotaPolicies, QuotaPolicyService } from '../policy/quota-policy.service';
import { LimitCheck, RateDimension, setRateLimitHeaders } from './rate-limit-headers';
import { RateLimitStore } from './rate-limit.store';
import type { WindowDecision } from './sliding-window';

/** The throttlers this guard enforces, as configured in QuotaModule: one window per dimension. */
export const RATE_DIMENSIONS: readonly RateDimension[] = ['requests', 'tokens'];
export const RATE_WINDOW_MS = 60_000;

/**
 * Requests and tokens per minute for each key, project and team, shared by every instance through the
 * `RateLimitStore`. Built on @nestjs/throttler's guard, module options and storage, but checks all
 * windows of a request in one atomic call — the stock guard checks throttlers one by one, so a request
 * refused by its project's limit would still use up its key's — and weighs the tokens window by the
 * request's estimated tokens (prompt estimate plus requested max_tokens, as OpenAI counts).
 *
 * Runs after the key guard (AuthModule is imported first); routes without a gateway key are not limited.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly store: RateLimitStore,
    reflector: Reflector,
    private readonly policies: QuotaPolicyService,
  ) {
    super(options, store, reflector);
  }

  /**
   * Per policy set (cached per key by QuotaPolicyService, so one object serves many requests): the key's
   * windows with their Redis keys, built once rather than per request.
   */
  private readonly plans = new WeakMap<QuotaPolicies, CheckPlan>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const principal = requestContext(request.raw).principal;
    if (!principal) return true;
    const plan = this.planFor(principal, await this.policies.for(principal));
    // A request without tokens (GET /v1/models) has nothing to count against a tokens window.
    const tokens =
      plan.tokens.length === 0
        ? 0
        : promptTokenEstimate(await measurePromptInTurns(request.body)) + (requestedOutputTokens(request.body) ?? 0);
    const checks = tokens === 0 ? plan.requestsOnly : plan.withTokens(tokens);
    if (checks.length === 0) return true;
    const decision = await this.store.consume(checks);
    // On the raw response, so they also reach streams, which bypass Fastify's reply.
    setRateLimitHeaders(checks, decision, http.getResponse<FastifyReply>().raw);
    if (!decision.allowed) throw rateLimitExceeded(checks, decision);
    return true;
  }

  private planFor(principal: Principal, policies: QuotaPolicies): CheckPlan {
    const cached = this.plans.get(policies);
    // Policies are cached per key id; the principal check keeps a plan from ever serving another key.
    if (cached?.principal === principal) return cached;
    const plan = new CheckPlan(principal, policies.rateLimits, this.throttlers);
    this.plans.set(policies, plan);
    return plan;
  }
}

/**
 * One key's windows, in the throttlers' order and narrowest level first: the requests windows as shared,
 * immutable checks (weight 1), the tokens windows as templates weighed per request.
 */
class CheckPlan {
  readonly requestsOnly: readonly LimitCheck[];
  readonly tokens: ReadonlyArray<Omit<LimitCheck, 'weight'>>;
  private readonly all: ReadonlyArray<LimitCheck | Omit<LimitCheck, 'weight'>>;

  constructor(
    readonly principal: Principal,
    rateLimits: QuotaPolicies['rateLimits'],
    throttlers: ReadonlyArray<{ name?: string; ttl: unknown }>,
  ) {
    const all: Array<LimitCheck | Omit<LimitCheck, 'weight'>> = [];
    for (const throttler of throttlers) {
      const dimension = throttler.name as RateDimension;
      for (const level of QUOTA_LEVELS) {
        const limit = dimension === 'requests' ? rateLimits[level].rpm : rateLimits[level].tpm;
        if (limit === 0) continue;
        const key = `sy:rl:${level}:${scopeIdOf(principal, level)}:${dimension}`;
        const windowMs = throttler.ttl as number;
        all.push(
          dimension === 'requests'
            ? { dimension, level, key, limit, windowMs, weight: 1 }
            : { dimension, level, key, limit, windowMs },
        );
      }
    }
    this.all = all;
    this.requestsOnly = all.filter((check): check is LimitCheck => check.dimension === 'requests');
    this.tokens = all.filter((check) => check.dimension === 'tokens');
  }

  /** Every window, the tokens ones weighed by this request's `tokens`. */
  withTokens(tokens: number): LimitCheck[] {
    const checks = new Array<LimitCheck>(this.all.length);
    for (let i = 0; i < this.all.length; i++) {
      const check = this.all[i];
      checks[i] =
        check.dimension === 'requests'
          ? (check as LimitCheck)
          : {
              dimension: check.dimension,
              level: check.level,
              key: check.key,
              limit: check.limit,
              windowMs: check.windowMs,
              weight: tokens,
            };
    }
    return checks;
  }
}

/** Our own 429 (code rate_limit_exceeded), never confused with an upstream's (upstream_rate_limited). */
function rateLimitExceeded(checks: readonly LimitCheck[], decision: WindowDecision): GatewayError {
  let binding = 0;
  checks.forEach((_check, i) => {
    if (decision.windows[i].retryAfterMs > decision.windows[binding].retryAfterMs) binding = i;
  });
  const check = checks[binding];
  const retryAfterMs = decision.windows[binding].retryAfterMs;
  if (retryAfterMs === Number.POSITIVE_INFINITY) {
    return new GatewayError(
      'rate_limit_exceeded',
      `This request needs about ${check.weight} tokens, more than the ${check.level}'s limit of ${check.limit} tokens per minute; ` +
        'lower max_tokens or shorten the prompt.',
      { headers: { 'x-should-retry': 'false' } },
    );
  }
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1_000));
  return new GatewayError(
    'rate_limit_exceeded',
    `Rate limit reached for the ${check.level}: ${check.limit} ${check.dimension} per minute. Retry in ${seconds}s.`,
    { retryAfterSeconds: seconds, headers: { 'retry-after-ms': String(Math.ceil(retryAfterMs)) } },
  );
}
