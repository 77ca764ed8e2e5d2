import { z } from 'zod';

/**
 * The `alerts:` section of the SWITCHYARD_CONFIG file. It lives here, in common, because two libs read it:
 * routing validates the whole file (the catalog loader and `switchyard config check`) and the alerts lib
 * acts on it; neither may import the other. One schema, so the check and the gateway cannot disagree.
 */
const webhookSchema = z.strictObject({
  /** Where each alert is POSTed. May hold a token (Slack-style URLs): it is never logged nor stored. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  /** Signs every delivery (HMAC-SHA256, `x-switchyard-signature`); usually `${ENV}`. Never stored or shown. */
  secret: z.string().min(16, 'must be at least 16 characters'),
});

/** Anomaly detection: a window far above its own trailing baseline (the detectors read this). */
const anomalySchema = z.strictObject({
  /** The window observed, in seconds. */
  window_s: z.number().int().min(10).max(86_400).default(300),
  /** Alert when the window is above `factor` × its baseline. */
  factor: z.number().min(1).default(10),
  /** No alert below this many requests in the window, so a new key's first requests stay quiet. */
  min_requests: z.number().int().min(0).default(20),
  /** No spend alert below this spend in the window (USD); a request-rate alert still needs `min_requests`. */
  min_spend_usd: z.number().min(0).default(1),
  /** How far back the baseline looks: the median of the busy windows of that many days. */
  baseline_days: z.number().int().min(1).max(31).default(7),
  /** A burst of 401s for one presented key prefix: at least `threshold` within one `window_s` window. */
  auth_failures: z
    .strictObject({
      window_s: z.number().int().min(10).max(3_600).default(60),
      threshold: z.number().int().min(1).default(20),
    })
    .prefault({}),
});

export const alertsConfigSchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).default([]),
    /** Percentages of a budget's limit that each fire one `budget_threshold` alert per period. */
    budget_thresholds: z
      .array(z.number().gt(0).max(1_000))
      .max(20)
      .default([50, 80, 100])
      .transform((thresholds) => [...new Set(thresholds)].sort((a, b) => a - b)),
    anomaly: anomalySchema.prefault({}),
  })
  .superRefine((alerts, ctx) => {
    const urls = new Set<string>();
    alerts.webhooks.forEach((webhook, i) => {
      // One outbox row per webhook and alert, keyed by the URL: a twin would be one receiver called twice.
      if (urls.has(webhook.url))
        ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'url'], message: 'duplicate webhook URL' });
      urls.add(webhook.url);
    });
  });

export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
export type AlertWebhookConfig = AlertsConfig['webhooks'][number];
export type AnomalyConfig = AlertsConfig['anomaly'];

/** The section when the file has none: no webhook, the default thresholds and anomaly settings. */
export const DEFAULT_ALERTS_CONFIG: AlertsConfig = alertsConfigSchema.parse({});
