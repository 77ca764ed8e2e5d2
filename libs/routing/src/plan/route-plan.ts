import { GatewayError, PriceSchedule, Principal, RouteTrace } from '@app/common';
import { deploymentName, ModelConfig } from '../catalog/catalog.schema';
import type { CatalogGeneration, CatalogLease } from '../catalog/catalog-generation';
import { modelKindMismatch, ModelUse } from '../catalog/model-kind';
import { modelAccessDenial } from './model-access';

/**
 * Everything routing decided about a request before any upstream is called, from one catalog generation:
 * the requested model, the models that may serve it (the model, then its fallbacks depth-first, those the
 * caller's allow-lists refuse left out) and their prices. Admission, the budget reservation, the router and
 * settlement all read this one plan, so a reload in the middle of a request cannot show it two catalogs.
 *
 * The plan holds a lease on its catalog generation; the router releases it when the response has ended, and
 * whoever gives up on the request before routing it must call `release()`.
 */
export class RoutePlan {
  private constructor(
    /** The name the client sent: the model's name or one of its aliases. */
    readonly requested: string,
    readonly model: ModelConfig,
    /** The model, then its permitted fallbacks, in the order they are tried. */
    readonly route: readonly ModelConfig[],
    private readonly lease: CatalogLease,
  ) {}

  /**
   * Plans a request for `name` on the leased generation, or throws `model_not_found` / `model_not_allowed` /
   * `model_kind_mismatch` (releasing the lease). `use`: what the route needs of the model; the catalog makes
   * every fallback the kind of the model it serves, so only the requested model is checked.
   */
  static admit(lease: CatalogLease, principal: Principal, name: string, use?: ModelUse): RoutePlan {
    try {
      const model = admitted(lease.catalog, principal, name);
      if (use && model.kind !== use.kind) throw modelKindMismatch(name, model.kind, use);
      // The requested model passed admission; a fallback must pass the caller's allow-lists too.
      const route = lease.catalog
        .route(model)
        .filter((candidate, i) => i === 0 || modelAccessDenial(principal, candidate) === null);
      return new RoutePlan(name, model, route, lease);
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  /** The same request on the same lease, served by `model` alone (a narrower form of the requested model). */
  only(model: ModelConfig): RoutePlan {
    return new RoutePlan(this.requested, model, [model], this.lease);
  }

  get catalog(): CatalogGeneration {
    return this.lease.catalog;
  }

  /**
   * The price of the deployment a trace says served the request (its own, else its model's); undefined when
   * unpriced or nothing served.
   */
  servedPricing(trace: RouteTrace | undefined): PriceSchedule | undefined {
    const model = this.route.find((candidate) => candidate.name === trace?.modelServed);
    const deployment = model?.deployments.find((candidate) => deploymentName(candidate) === trace?.deployment);
    return model && (deployment?.pricing ?? model.pricing);
  }

  /** Gives the catalog generation back; idempotent. The router calls it when the route ends. */
  release(): void {
    this.lease.release();
  }
}

/** At most this many model names in a "does not exist" message; a long catalog is listed by GET /v1/models. */
const NAMES_IN_MESSAGE = 20;

/** The catalog model a client-facing name refers to, when the caller may use it. */
export function admitted(
  catalog: Pick<CatalogGeneration, 'resolve' | 'config'>,
  principal: Principal,
  name: string,
): ModelConfig {
  const model = catalog.resolve(name);
  if (!model) {
    throw new GatewayError(
      'model_not_found',
      `The model "${name}" does not exist. ${usableModels(catalog.config.models, principal)}`,
      { param: 'model' },
    );
  }
  const denial = modelAccessDenial(principal, model, name);
  if (denial) throw new GatewayError('model_not_allowed', denial, { param: 'model' });
  return model;
}

/**
 * The names the caller may use, so that a client with its own model names (Claude Code asks for
 * `claude-opus-…`, Codex for `gpt-…`) learns what to map them to, as catalog aliases.
 */
function usableModels(models: readonly ModelConfig[], principal: Principal): string {
  const names = models
    .filter((model) => modelAccessDenial(principal, model) === null)
    .flatMap((model) => [model.name, ...model.aliases]);
  if (names.length === 0) return 'Your key may use no model of this gateway.';
  const shown = names.slice(0, NAMES_IN_MESSAGE).join(', ');
  const more = names.length > NAMES_IN_MESSAGE ? ` and ${names.length - NAMES_IN_MESSAGE} more` : '';
  return `Models your key can use: ${shown}${more} (GET /v1/models lists them).`;
}
