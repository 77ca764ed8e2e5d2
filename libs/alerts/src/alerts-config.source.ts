import type { AlertsConfig } from '@app/common';

/**
 * Where the lib reads the `alerts:` section of the config file: the app binds it to the catalog that serves
 * now, so a reload that changes webhooks or thresholds applies at once (the lib cannot import routing).
 */
export abstract class AlertsConfigSource {
  abstract current(): AlertsConfig;
}
