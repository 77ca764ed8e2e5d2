export const ENVIRONMENTS = ['test', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Who is calling, as established by the key guard; travels with the request to every lib. */
export interface Principal {
  keyId: string;
  /** Display form `sy-prod-Ab12…wxyz`: safe to log and show. */
  maskedKey: string;
  keyName: string;
  projectId: string;
  teamId: string;
  environment: Environment;
  /** Models (names or aliases) this key may call; null means every model. */
  allowedModels: readonly string[] | null;
  /** Catalog tiers this key may call; null means every tier. */
  allowedTiers: readonly string[] | null;
  /** The project's allow-lists, applied on top of the key's: a model must pass both. */
  projectAllowedModels: readonly string[] | null;
  projectAllowedTiers: readonly string[] | null;
}
