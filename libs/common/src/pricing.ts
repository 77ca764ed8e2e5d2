/**
 * A model's (or deployment's) prices as the catalog states them, converted to integers at load time:
 * micro-USD per million tokens, which is the same number as pico-USD per token. Money math on these is
 * integer-only (see libs/quota).
 */
export interface PricePoint {
  /** The first instant this price applies; null for "since always". */
  effectiveFrom: Date | null;
  inputMicrosPerMtok: number;
  outputMicrosPerMtok: number;
  /** Price of prompt tokens served from the provider's cache; null means they cost the input price. */
  cachedInputMicrosPerMtok: number | null;
  /** Image models: micro-USD per image by size; their token prices are 0 (an image is priced per image). */
  perImage?: ImagePrices;
}

/** Micro-USD per generated image, by the `size` requested; `default` for a size without its own price. */
export interface ImagePrices {
  bySize: Readonly<Record<string, number>>;
  default: number;
}

/** Price points ordered by `effectiveFrom`, oldest first, so a price change never rewrites history. */
export type PriceSchedule = readonly PricePoint[];

/** True when `usd` is a non-negative amount with at most six decimals, i.e. a whole number of micro-units. */
export function isMicroUsdAmount(usd: number): boolean {
  if (!Number.isFinite(usd) || usd < 0 || usd > Number.MAX_SAFE_INTEGER / 1e6) return false;
  return Math.abs(usd * 1e6 - Math.round(usd * 1e6)) < 1e-6;
}
