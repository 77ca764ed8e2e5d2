/**
 * Token counts for one request, and where they came from:
 * - `provider`: the upstream's report, every count a valid one;
 * - `clamped`: the upstream's report had to be corrected (a count negative, fractional, not a number,
 *   missing, or above `MAX_USAGE_TOKENS`); the counts are the corrected ones and are not trusted for money;
 * - `estimated`: no report came (a stream cut short, an upstream that sends none); the gateway counted.
 * Every count is a non-negative integer no larger than `MAX_USAGE_TOKENS`, whatever the source.
 */
export interface TokenUsage {
  promptTokens: number;
  /** Prompt tokens served from the provider's prompt cache (a subset of `promptTokens`). */
  cachedTokens: number;
  completionTokens: number;
  /** Hidden reasoning tokens (a subset of `completionTokens`). */
  reasoningTokens: number;
  source: UsageSource;
}

export type UsageSource = 'provider' | 'clamped' | 'estimated';

/**
 * The most tokens one count of one request may claim: five times the largest context window on offer
 * (2M), so no genuine report comes near it, while the worst case a broken one can reach stays far inside
 * an `integer` column (2^31) and prices to a bounded amount.
 */
export const MAX_USAGE_TOKENS = 10_000_000;

/**
 * The one check every upstream's usage goes through (adapters map their provider's fields to OpenAI's
 * `usage` shape first, with `sumTokenCounts` where they add): undefined when the upstream reported none,
 * otherwise counts the gateway can store and price. A report with any count that is not a non-negative
 * integer within `MAX_USAGE_TOKENS` is corrected and marked `clamped`: negative → 0, fractional → rounded
 * up, above the cap → the cap, anything else (NaN, a string, null) → 0; a cached or reasoning count larger
 * than the count it is part of → that count. `completion_tokens` may be left out only when `total_tokens`
 * gives it (embeddings report `prompt_tokens` and `total_tokens` alone).
 */
export function providerUsage(reported: unknown): TokenUsage | undefined {
  if (!isRecord(reported)) return undefined;
  let corrected = false;
  const count = (value: unknown): number => {
    const checked = checkedCount(value);
    corrected ||= checked !== value;
    return checked;
  };
  const optional = (value: unknown): number => (value === undefined || value === null ? 0 : count(value));
  const promptTokens = count(reported.prompt_tokens);
  const completionTokens =
    reported.completion_tokens === undefined && isTokenCount(reported.total_tokens)
      ? count(reported.total_tokens - promptTokens)
      : count(reported.completion_tokens);
  const cachedTokens = optional(detail(reported.prompt_tokens_details, 'cached_tokens'));
  const reasoningTokens = optional(detail(reported.completion_tokens_details, 'reasoning_tokens'));
  return {
    promptTokens,
    cachedTokens: Math.min(cachedTokens, promptTokens),
    completionTokens,
    reasoningTokens: Math.min(reasoningTokens, completionTokens),
    source: corrected || cachedTokens > promptTokens || reasoningTokens > completionTokens ? 'clamped' : 'provider',
  };
}

/**
 * Adds a provider's token counts (Anthropic's input and cache counters, Gemini's candidates and thoughts)
 * for `providerUsage` to check. An absent count (undefined or null) adds nothing; anything that is not a
 * count makes the sum NaN, so arithmetic cannot hide a bad field (`5 + "3"` is `"53"`, `1000 + -1000` is 0).
 */
export function sumTokenCounts(...counts: unknown[]): number {
  let sum = 0;
  for (const value of counts) {
    if (value === undefined || value === null) continue;
    if (!isTokenCount(value)) return Number.NaN;
    sum += value;
  }
  return sum;
}

/** About four characters per token, OpenAI's rule of thumb for English text. */
const CHARS_PER_TOKEN = 4;

/**
 * A rough count for a call whose upstream reported no usage (a stream cut short before its usage chunk,
 * an upstream that sends none): the characters of the prompt's text and of the answer, at ~4 per token,
 * plus prompt tokens given as token ids (an embeddings input), one each. Marked `estimated`; budgets never
 * charge by it (they charge the reserved maximum instead).
 */
export function estimatedUsage(promptChars: number, completionChars: number, promptTokenIds = 0): TokenUsage {
  return {
    promptTokens: Math.min(Math.ceil(promptChars / CHARS_PER_TOKEN) + promptTokenIds, MAX_USAGE_TOKENS),
    cachedTokens: 0,
    completionTokens: Math.min(Math.ceil(completionChars / CHARS_PER_TOKEN), MAX_USAGE_TOKENS),
    reasoningTokens: 0,
    source: 'estimated',
  };
}

function isTokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_USAGE_TOKENS;
}

/** The value itself when it is a valid count, else its correction (see `providerUsage`). */
function checkedCount(value: unknown): number {
  if (isTokenCount(value)) return value;
  if (typeof value !== 'number' || Number.isNaN(value)) return 0;
  return Math.min(Math.max(Math.ceil(value), 0), MAX_USAGE_TOKENS);
}

function detail(details: unknown, field: string): unknown {
  return isRecord(details) ? details[field] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
