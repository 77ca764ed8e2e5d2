import { z } from 'zod';
import { invalidIpRange } from '@app/auth';
import { GatewayError } from '@app/common';
import type { ModelCatalogService } from '@app/routing';

/** Allow-lists are held with their key and checked on each of its requests: these bounds keep them small. */
const MAX_ALLOW_LIST_ENTRIES = 1_000;
const MAX_ALLOW_LIST_ENTRY = 256;

/** An allow-list field: a non-empty list, or null for no limit. */
export const allowListField = z
  .array(z.string().trim().min(1).max(MAX_ALLOW_LIST_ENTRY))
  .min(1)
  .max(MAX_ALLOW_LIST_ENTRIES)
  .nullable()
  .optional();

/** Checks allow-list entries against the catalog and IP syntax, naming the first bad one. */
export function checkAllowLists(
  catalog: ModelCatalogService,
  lists: { models?: string[] | null; tiers?: string[] | null; allowed_ips?: string[] | null },
): void {
  const unknownModel = lists.models?.find((name) => !catalog.resolve(name));
  if (unknownModel) throw invalid('models', `unknown model "${unknownModel}"`);
  const tiers = new Set(catalog.models().flatMap((model) => (model.tier ? [model.tier] : [])));
  const unknownTier = lists.tiers?.find((tier) => !tiers.has(tier));
  if (unknownTier)
    throw invalid('tiers', `unknown tier "${unknownTier}" (catalog tiers: ${[...tiers].join(', ') || 'none'})`);
  const badRange = lists.allowed_ips ? invalidIpRange(lists.allowed_ips) : undefined;
  if (badRange !== undefined) throw invalid('allowed_ips', `"${badRange}" is not an IP address or CIDR range`);
}

function invalid(param: string, problem: string): GatewayError {
  return new GatewayError('invalid_request_error', `${param}: ${problem}`, { param });
}
