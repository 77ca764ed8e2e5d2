import type { Principal } from '@app/common';
import type { ModelConfig } from '../catalog/catalog.schema';

/**
 * Why the caller may not use `model`, or null when it may: the key's and the project's model allow-lists
 * (names or aliases) and tier allow-lists must all admit it. A model without a tier passes no tier list.
 */
export function modelAccessDenial(principal: Principal, model: ModelConfig, requested = model.name): string | null {
  const names = [model.name, ...model.aliases];
  const tiers = model.tier ? [model.tier] : [];
  const tier = model.tier ? `its tier "${model.tier}"` : 'it has no tier';
  const rules: Array<[readonly string[] | null, readonly string[], string]> = [
    [principal.allowedModels, names, `Your key is not allowed to use the model "${requested}".`],
    [principal.projectAllowedModels, names, `Your project is not allowed to use the model "${requested}".`],
    [
      principal.allowedTiers,
      tiers,
      `Your key is not allowed to use the model "${requested}": ${tier} is not among the key's tiers.`,
    ],
    [
      principal.projectAllowedTiers,
      tiers,
      `Your project is not allowed to use the model "${requested}": ${tier} is not among the project's tiers.`,
    ],
  ];
  const failed = rules.find(
    ([allowed, values]) => allowed !== null && !values.some((value) => allowed.includes(value)),
  );
  return failed ? failed[2] : null;
}
