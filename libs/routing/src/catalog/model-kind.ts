import type { z } from 'zod';
import { GatewayError, PriceSchedule } from '@app/common';
import { IMAGE_PROVIDER_TYPES, servesImages } from '@app/providers';

/**
 * What a model serves, and so which routes may call it. Declared in the catalog (`kind:`, `chat` when
 * absent) because nothing in a model's name says it reliably, and a model called on the wrong route fails
 * upstream in provider-specific ways, or, worse, is billed by the wrong price.
 */
export const MODEL_KINDS = ['chat', 'embedding', 'image'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** What a request needs of its model: the kind its route serves, and the route, named in a refusal. */
export interface ModelUse {
  kind: ModelKind;
  route: string;
}

/** The 400 for a model called on a route of another kind; the message says what to change. */
export function modelKindMismatch(requested: string, kind: ModelKind, use: ModelUse): GatewayError {
  return new GatewayError(
    'model_kind_mismatch',
    `The model "${requested}" is ${article(kind)} ${kind} model (kind: ${kind}) and cannot be called on ${use.route}, ` +
      `which needs a model of kind: ${use.kind}. ${KIND_HINTS[use.kind]}`,
    { param: 'model' },
  );
}

const KIND_HINTS: Record<ModelKind, string> = {
  chat: 'Chat models are the catalog default.',
  embedding: 'Embedding models declare `kind: embedding` in the catalog.',
  image: 'Image models declare `kind: image` and a `pricing.per_image` in the catalog.',
};

function article(kind: ModelKind): string {
  return kind === 'image' || kind === 'embedding' ? 'an' : 'a';
}

/** The parts of a catalog the kind rules read. */
interface KindedCatalog {
  providers: ReadonlyArray<{ id: string; type: string }>;
  models: ReadonlyArray<{
    name: string;
    aliases: readonly string[];
    kind: ModelKind;
    pricing?: PriceSchedule;
    deployments: ReadonlyArray<{ provider: string; pricing?: PriceSchedule }>;
    fallbacks: readonly string[];
  }>;
}

/**
 * The kind rules a catalog must keep, checked when it loads so that no request finds out: an image model is
 * deployed only on providers that generate images and priced per image (and only image models are); a
 * fallback is of its model's kind, as it answers the same route.
 */
export function checkModelKinds(catalog: KindedCatalog, ctx: z.RefinementCtx): void {
  const providerTypes = new Map(catalog.providers.map((provider) => [provider.id, provider.type]));
  const kinds = new Map(catalog.models.flatMap((model) => [model.name, ...model.aliases].map((n) => [n, model.kind])));
  catalog.models.forEach((model, i) => {
    const image = model.kind === 'image';
    const checkPricing = (pricing: PriceSchedule | undefined, path: Array<string | number>) => {
      if (pricing?.some((point) => (point.perImage !== undefined) !== image))
        ctx.addIssue({
          code: 'custom',
          path,
          message: image
            ? 'an image model (kind: image) is priced per image: `per_image: {"1024x1024": 0.04, "default": 0.04}`'
            : `\`per_image\` prices image models only; this model is of kind: ${model.kind}`,
        });
    };
    checkPricing(model.pricing, ['models', i, 'pricing']);
    model.deployments.forEach((deployment, j) => {
      checkPricing(deployment.pricing, ['models', i, 'deployments', j, 'pricing']);
      const type = providerTypes.get(deployment.provider);
      if (image && type !== undefined && !servesImages(type))
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'deployments', j, 'provider'],
          message:
            `provider "${deployment.provider}" (type ${type}) generates no images, so it cannot serve the image model ` +
            `"${model.name}"; image providers are of type ${IMAGE_PROVIDER_TYPES.join(', ')}`,
        });
    });
    model.fallbacks.forEach((fallback, j) => {
      const kind = kinds.get(fallback);
      if (kind !== undefined && kind !== model.kind)
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'fallbacks', j],
          message: `"${fallback}" is of kind: ${kind}, and cannot stand in for a model of kind: ${model.kind}`,
        });
    });
  });
}
