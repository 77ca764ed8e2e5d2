import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, requestContext } from '@app/common';
import { measurePrompt, promptTokenEstimate, requestedOutputTokens } from '../estimate/prompt-size';
import { QUOTA_LEVELS, scopeIdOf } from '../levels';
import { QuotaPolicyService } from '../policy/quota-policy.service';
import { LimitCheck, RateDimension, rateLimitHeaders } from './rate-limit-headers';
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

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const principal = requestContext(request.raw).principal;
    if (!principal) return true;
    const { rateLimits } = await this.policies.for(principal);
    const tokens = promptTokenEstimate(measurePrompt(request.body)) + (requestedOutputTokens(request.body) ?? 0);
    const checks: LimitCheck[] = [];
    for (const throttler of this.throttlers) {
      const dimension = throttler.name as RateDimension;
      // A request without tokens (GET /v1/models) has nothing to count against a tokens window.
      if (dimension === 'tokens' && tokens === 0) continue;
      for (const level of QUOTA_LEVELS) {
        const limit = dimension === 'requests' ? rateLimits[level].rpm : rateLimits[level].tpm;
        if (limit === 0) continue;
        const key = `sy:rl:${level}:${scopeIdOf(principal, level)}:${dimension}`;
        checks.push({ dimension, level, key, limit, windowMs: throttler.ttl as number, weight: dimension === 'requests' ? 1 : tokens });
      }
    }
    if (checks.length === 0) return true;
    const decision = await this.store.consume(checks);
    // On the raw response, so they also reach streams, which bypass Fastify's reply.
    for (const [name, value] of Object.entries(rateLimitHeaders(checks, decision))) reply.raw.setHeader(name, value);
    if (!decision.allowed) throw rateLimitExceeded(checks, decision);
    return true;
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
