import { Injectable } from '@nestjs/common';

/**
 * Counters for operators, benchmarks and the metrics endpoint. Plain numbers owned by one gateway
 * instance; `snapshot()` is what `GET /admin/quota/stats` returns and what a Prometheus collector reads.
 */
@Injectable()
export class QuotaStats {
  /** Budget and rate-limit settings read from Postgres (cache misses). */
  policyLookups = 0;
  /** Budget checks answered from this instance's leased headroom, with no database round trip. */
  budgetChecksFromLease = 0;
  /** Lease statements (a chunk, or one request's exact reservation near the limit). */
  leaseQueries = 0;
  /** Batched ledger writes, and the settled requests they carried. */
  ledgerFlushes = 0;
  ledgerEntries = 0;
  /** Leases of dead instances released by the reconciler. */
  orphanedLeasesReleased = 0;
  /** Requests whose cost could not be computed (no price): recorded with cost null. */
  unpricedRequests = 0;
  /** Failed or timed-out calls to the shared rate-limit store (Redis). */
  rateLimitStoreErrors = 0;
  /** True while rate limits are enforced without the shared store (see RATE_LIMIT_REDIS_FAILURE). */
  rateLimitStoreDegraded = false;

  snapshot() {
    return {
      policy_lookups: this.policyLookups,
      budget_checks_from_lease: this.budgetChecksFromLease,
      lease_queries: this.leaseQueries,
      ledger_flushes: this.ledgerFlushes,
      ledger_entries: this.ledgerEntries,
      orphaned_leases_released: this.orphanedLeasesReleased,
      unpriced_requests: this.unpricedRequests,
      rate_limit_store_errors: this.rateLimitStoreErrors,
      rate_limit_store_degraded: this.rateLimitStoreDegraded,
    };
  }
}
