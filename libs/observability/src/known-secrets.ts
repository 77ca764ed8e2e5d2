/**
 * Supplies the secrets currently configured (provider keys), so anything logged or returned can be
 * scrubbed of them. Bound by the app to the model catalog; a function because config reloads change it.
 */
export abstract class KnownSecrets {
  abstract list(): readonly string[];
}
