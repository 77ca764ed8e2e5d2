import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientDisconnectedError, Clock, GatewayError, requestContext, RequestContext } from '@app/common';
import { DatabaseAvailability, DatabaseUnavailableError } from '@app/persistence';
import { keepsAnswer } from './answer-policy';
import { ClaimLeases } from './claim-leases';
import { ClaimWatch } from './claim-watch';
import { idempotencyConfig } from './idempotency.config';
import { IdempotencyMetrics } from './idempotency.metrics';
import { Claim, ClaimHolder, IdempotencyStore } from './idempotency.store';
import { idempotencyKeyOf, requestFingerprint } from './idempotency-key';
import { ResponseRecorder } from './response-recorder';

/** A repeat polls the claim's row first after this long, doubling up to MAX_POLL_MS. */
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 1_000;
/** Seconds a client refused with 409 idempotency_in_progress is told to wait. */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

/**
 * `Idempotency-Key` on every `/v1` POST (docs/idempotency.md): the handler runs at most once per gateway key
 * and Idempotency-Key while its answer is kept, so a client retrying a request it never saw answered is
 * never charged twice. Runs after the guards (the key's id scopes the Idempotency-Key) and around the API's
 * handler, inside the interceptors, so a replay is recorded like any request.
 *
 *   first request   claims the pair in Postgres (one statement: one winner across instances), runs, and when
 *                   its response has closed keeps the answer (status, headers, bytes as sent) or releases
 *                   the claim (answers a retry may change, see keepsAnswer)
 *   same body       replays the kept answer with `idempotent-replayed: true`; while the first is in flight,
 *                   waits for it (IDEMPOTENCY_WAIT_MS), then 409 idempotency_in_progress
 *   other body      422 idempotency_key_reused
 *   database down   503: never served without the guarantee
 */
@Injectable()
export class IdempotentRequests {
  private readonly logger = new Logger(IdempotentRequests.name);
  private readonly watch = new ClaimWatch();

  constructor(
    private readonly store: IdempotencyStore,
    private readonly leases: ClaimLeases,
    private readonly availability: DatabaseAvailability,
    private readonly clock: Clock,
    private readonly metrics: IdempotencyMetrics,
    @Inject(idempotencyConfig.KEY) private readonly settings: ConfigType<typeof idempotencyConfig>,
  ) {}

  /** Runs `handle` (the API), or answers for it when the request's Idempotency-Key says it already ran. */
  async run(request: FastifyRequest, reply: FastifyReply, handle: () => Promise<void>): Promise<void> {
    const idempotencyKey = idempotencyKeyOf(request.headers);
    const context = requestContext(request.raw);
    if (idempotencyKey === undefined || !context.principal) return handle();
    const claim: Claim = {
      keyId: context.principal.keyId,
      idempotencyKey,
      requestHash: requestFingerprint(request.raw),
      token: randomUUID(),
      requestId: context.requestId,
    };
    const pair = `${claim.keyId}\n${idempotencyKey}`;
    const waitUntil = Date.now() + this.settings.waitMs;
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(2 * pause, MAX_POLL_MS)) {
      const holder = await this.claimOrRead(claim);
      if (!holder) return this.runClaimed(claim, pair, request, reply, handle);
      if (!holder.requestHash.equals(claim.requestHash)) throw this.refused(context, 'body_mismatch');
      if (holder.state === 'completed') return this.replay(holder, context, reply);
      if (holder.state === 'not_stored') throw this.refused(context, 'not_stored', holder.requestId);
      const left = waitUntil - Date.now();
      if (left <= 0) throw this.refused(context, 'in_progress');
      // Held here: the holder wakes us when answered. Held elsewhere: poll the row, backing off.
      await this.watch.wait(pair, this.watch.holdsHere(pair) ? left : Math.min(pause, left), reply.raw);
      if (reply.raw.destroyed) throw new ClientDisconnectedError();
    }
  }

  /** Takes the claim (undefined) or reads who holds it. */
  private async claimOrRead(claim: Claim): Promise<ClaimHolder | undefined> {
    if (!this.availability.reachable) throw unguaranteed();
    try {
      for (;;) {
        const now = this.clock.now();
        const expiresAt = new Date(now.getTime() + this.settings.ttlMs);
        const claimed = this.store.claim(claim, now, this.leases.leaseFromNow(), expiresAt);
        if (await this.availability.answerWithin(claimed)) return undefined;
        const holder = await this.availability.answerWithin(this.store.holder(claim.keyId, claim.idempotencyKey, now));
        // No row: released or purged between the two statements; the claim is free again.
        if (holder) return holder;
      }
    } catch (error) {
      if (this.availability.noteFailure(error)) throw unguaranteed(error);
      throw error;
    }
  }

  private async runClaimed(
    claim: Claim,
    pair: string,
    request: FastifyRequest,
    reply: FastifyReply,
    handle: () => Promise<void>,
  ): Promise<void> {
    const recorder = new ResponseRecorder(reply.raw, this.settings.maxResponseBytes);
    this.leases.hold(claim.token);
    this.watch.holding(pair);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      void this.settle(claim, pair, request, reply, recorder);
    };
    reply.raw.once('close', settle);
    if (reply.raw.destroyed) {
      // The client left while the claim was being taken: its 'close' may be gone already. Nobody is left to
      // answer, so the model is not called and the claim is released.
      settle();
      throw new ClientDisconnectedError();
    }
    await handle();
  }

  /** Once the response has closed (and a stream's relay has ended): keep the answer, or give the pair up. */
  private async settle(
    claim: Claim,
    pair: string,
    request: FastifyRequest,
    reply: FastifyReply,
    recorder: ResponseRecorder,
  ): Promise<void> {
    const context = requestContext(request.raw);
    try {
      await context.handled;
      const response = recorder.recorded();
      const work = keepsAnswer(response.status, reply.raw.writableFinished, context.error)
        ? this.store.complete(claim, response)
        : this.store.release(claim);
      await this.availability.answerWithin(work);
    } catch (error) {
      this.availability.noteFailure(error);
      // The claim stays in progress until its lease runs out; then a repeat runs the request again.
      this.logger.warn(
        { requestId: claim.requestId, error: (error as Error).message },
        'could not store the answer to an idempotent request',
      );
    } finally {
      this.leases.drop(claim.token);
      this.watch.settled(pair);
    }
  }

  private async replay(
    holder: Extract<ClaimHolder, { state: 'completed' }>,
    context: RequestContext,
    reply: FastifyReply,
  ): Promise<void> {
    context.idempotentReplay = true;
    context.costMicroUsd = 0;
    this.metrics.replayed(context.api);
    const { status, headers, body } = holder.response;
    await reply
      .status(status)
      .headers({ ...headers, 'idempotent-replayed': 'true', 'x-switchyard-original-request-id': holder.requestId })
      .send(body);
  }

  private refused(
    context: RequestContext,
    reason: 'in_progress' | 'body_mismatch' | 'not_stored',
    originalRequestId?: string,
  ): GatewayError {
    this.metrics.conflict(context.api, reason);
    const param = 'Idempotency-Key';
    if (reason === 'body_mismatch') {
      return new GatewayError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request (method, path or body); use a new key for a new request.',
        { param },
      );
    }
    if (reason === 'not_stored') {
      return new GatewayError(
        'idempotency_replay_unavailable',
        `The request with this Idempotency-Key was answered (request id ${originalRequestId}), but its answer was too large to keep (IDEMPOTENCY_MAX_RESPONSE_BYTES); it is not run again. Use a new key to run it again.`,
        { param },
      );
    }
    return new GatewayError(
      'idempotency_in_progress',
      `A request with this Idempotency-Key is still being answered; retry in ${IN_PROGRESS_RETRY_AFTER_SECONDS}s to get its answer.`,
      { param, retryAfterSeconds: IN_PROGRESS_RETRY_AFTER_SECONDS },
    );
  }
}

function unguaranteed(cause?: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError('A request with an Idempotency-Key cannot be served', cause);
}
