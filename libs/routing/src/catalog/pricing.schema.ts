import { z } from 'zod';
import { isMicroUsdAmount, PricePoint, PriceSchedule } from '@app/common';

/** USD per million tokens, as providers publish prices; stored as integer micro-USD per million tokens. */
const usdPerMtok = z
  .number()
  .refine(isMicroUsdAmount, 'must be a non-negative USD amount per million tokens with at most 6 decimals')
  .transform((usd) => Math.round(usd * 1e6));

const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((text) => new Date(text.length === 10 ? `${text}T00:00:00Z` : text));

const pricePointSchema = z.strictObject({
  /** When this price starts to apply (UTC date or instant); omit on the first price. */
  effective_from: instant.optional(),
  input_per_mtok: usdPerMtok,
  output_per_mtok: usdPerMtok,
  /** Prompt tokens read from the provider's cache; without it they cost the input price. */
  cached_input_per_mtok: usdPerMtok.optional(),
});

const scheduleSchema = z
  .array(pricePointSchema)
  .min(1)
  .superRefine((points, ctx) => {
    points.forEach((point, i) => {
      if (i === 0) return;
      const previous = points[i - 1].effective_from;
      if (!point.effective_from) {
        ctx.addIssue({ code: 'custom', path: [i, 'effective_from'], message: 'required on every price but the first' });
      } else if (previous && point.effective_from <= previous) {
        ctx.addIssue({ code: 'custom', path: [i, 'effective_from'], message: 'must be later than the previous price' });
      }
    });
  });

/**
 * `pricing:` on a model or a deployment: one price, or a list of prices with `effective_from` dates so
 * a price change never reprices requests made before it.
 */
export const pricingSchema = z.unknown().transform((value, ctx): PriceSchedule => {
  // Chosen by shape rather than with a union, so an error names the field at fault.
  const result = Array.isArray(value)
    ? scheduleSchema.safeParse(value)
    : pricePointSchema.transform((point) => [point]).safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return result.data.map((point): PricePoint => ({
    effectiveFrom: point.effective_from ?? null,
    inputMicrosPerMtok: point.input_per_mtok,
    outputMicrosPerMtok: point.output_per_mtok,
    cachedInputMicrosPerMtok: point.cached_input_per_mtok ?? null,
  }));
});
