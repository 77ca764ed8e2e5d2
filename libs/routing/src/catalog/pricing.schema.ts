import { z } from 'zod';
import { ImagePrices, isMicroUsdAmount, PricePoint, PriceSchedule } from '@app/common';

/** USD per million tokens, as providers publish prices; stored as integer micro-USD per million tokens. */
const usdPerMtok = z
  .number()
  .refine(isMicroUsdAmount, 'must be a non-negative USD amount per million tokens with at most 6 decimals')
  .transform((usd) => Math.round(usd * 1e6));

const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((text) => new Date(text.length === 10 ? `${text}T00:00:00Z` : text));

const tokenPricePointSchema = z.strictObject({
  /** When this price starts to apply (UTC date or instant); omit on the first price. */
  effective_from: instant.optional(),
  input_per_mtok: usdPerMtok,
  output_per_mtok: usdPerMtok,
  /** Prompt tokens read from the provider's cache; without it they cost the input price. */
  cached_input_per_mtok: usdPerMtok.optional(),
});

/** USD per generated image; stored as integer micro-USD. */
const usdPerImage = z
  .number()
  .refine(isMicroUsdAmount, 'must be a non-negative USD amount per image with at most 6 decimals')
  .transform((usd) => Math.round(usd * 1e6));

/** Image models: `per_image: {"1024x1024": 0.04, "default": 0.04}`, by the `size` a request asks for. */
const imagePricePointSchema = z.strictObject({
  effective_from: instant.optional(),
  per_image: z
    .record(z.string().min(1), usdPerImage)
    .refine((prices) => 'default' in prices, 'needs a "default" price, charged for sizes without their own'),
});

/** A token price or an image price, chosen by shape (`per_image`) so that an error names the field at fault. */
const pricePointSchema = z.unknown().transform((value, ctx) => {
  const schema =
    value !== null && typeof value === 'object' && 'per_image' in value ? imagePricePointSchema : tokenPricePointSchema;
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return result.data;
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
 * a price change never reprices requests made before it. A price is per million tokens, or for image
 * models per image (`per_image`), whose token prices are then 0.
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
  return result.data.map((point): PricePoint => {
    const effectiveFrom = point.effective_from ?? null;
    if ('per_image' in point) {
      const perImage: ImagePrices = { bySize: point.per_image, default: point.per_image.default };
      return { effectiveFrom, inputMicrosPerMtok: 0, outputMicrosPerMtok: 0, cachedInputMicrosPerMtok: null, perImage };
    }
    return {
      effectiveFrom,
      inputMicrosPerMtok: point.input_per_mtok,
      outputMicrosPerMtok: point.output_per_mtok,
      cachedInputMicrosPerMtok: point.cached_input_per_mtok ?? null,
    };
  });
});
