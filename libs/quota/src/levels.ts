import type { Principal } from '@app/common';

/** The levels a request belongs to, narrowest first: budgets and rate limits apply at each. */
export const QUOTA_LEVELS = ['key', 'project', 'team'] as const;
export type QuotaLevel = (typeof QUOTA_LEVELS)[number];

export function scopeIdOf(principal: Principal, level: QuotaLevel): string {
  return level === 'key' ? principal.keyId : level === 'project' ? principal.projectId : principal.teamId;
}
