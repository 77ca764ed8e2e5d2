import { GatewayError } from '@app/common';
import { testPrincipal } from '@app/common/testing';
import { catalogSchema } from '../catalog/catalog.schema';
import { CatalogGeneration } from '../catalog/catalog-generation';
import { RoutePlan } from './route-plan';

function generation(): CatalogGeneration {
  const config = catalogSchema.parse({
    providers: [{ id: 'p', type: 'mock' }],
    models: [
      {
        name: 'big',
        tier: 'premium',
        fallbacks: ['mid', 'small'],
        pricing: { input_per_mtok: 10, output_per_mtok: 30 },
        deployments: [
          { provider: 'p', model: 'big-1' },
          { provider: 'p', model: 'big-2', pricing: { input_per_mtok: 5, output_per_mtok: 15 } },
        ],
      },
      { name: 'mid', tier: 'premium', deployments: [{ provider: 'p', model: 'mid-1' }] },
      { name: 'small', aliases: ['cheap'], tier: 'standard', deployments: [{ provider: 'p', model: 'small-1' }] },
    ],
  });
  return new CatalogGeneration(config, new Map());
}

const caller = testPrincipal;

/** Whether the generation holds no lease: retirement resolves at once only then. */
async function isDrained(catalog: CatalogGeneration): Promise<boolean> {
  let drained = false;
  void catalog.retire(60_000).then(() => (drained = true));
  await new Promise((resolve) => setImmediate(resolve));
  catalog.abandonRetirement();
  return drained;
}

describe('RoutePlan', () => {
  it('plans the requested model, then the fallbacks the caller may use, in route order', () => {
    const catalog = generation();
    expect(RoutePlan.admit(catalog.lease(), caller(), 'big').route.map((m) => m.name)).toEqual(['big', 'mid', 'small']);
    // A key limited to the premium tier is never served by the standard fallback, and vice versa.
    expect(
      RoutePlan.admit(catalog.lease(), caller({ allowedTiers: ['premium'] }), 'big').route.map((m) => m.name),
    ).toEqual(['big', 'mid']);
    expect(
      RoutePlan.admit(catalog.lease(), caller({ projectAllowedModels: ['big', 'cheap'] }), 'big').route.map(
        (m) => m.name,
      ),
    ).toEqual(['big', 'small']);
  });

  it('refuses an unknown or forbidden model with the error the client sees, and gives the lease back', async () => {
    const catalog = generation();
    expect(() => RoutePlan.admit(catalog.lease(), caller(), 'nope')).toThrow(
      expect.objectContaining({ code: 'model_not_found' }),
    );
    // The message names what the key may use instead: an alias in the catalog maps a client's own names.
    expect(() => RoutePlan.admit(catalog.lease(), caller({ allowedTiers: ['standard'] }), 'claude-opus-4-8')).toThrow(
      'The model "claude-opus-4-8" does not exist. Models your key can use: small, cheap (GET /v1/models lists them).',
    );
    const forbidden = () => RoutePlan.admit(catalog.lease(), caller({ allowedModels: ['small'] }), 'big');
    expect(forbidden).toThrow(GatewayError);
    expect(forbidden).toThrow('Your key is not allowed to use the model "big".');
    expect(await isDrained(catalog)).toBe(true);
  });

  it('keeps its catalog generation until released, once', async () => {
    const catalog = generation();
    const plan = RoutePlan.admit(catalog.lease(), caller(), 'cheap');
    expect(plan.model.name).toBe('small');
    expect(plan.requested).toBe('cheap');
    expect(await isDrained(catalog)).toBe(false);
    plan.release();
    plan.release();
    expect(await isDrained(catalog)).toBe(true);
  });

  it("prices the served deployment by its own price, else its model's, and nothing when nothing served", () => {
    const plan = RoutePlan.admit(generation().lease(), caller(), 'big');
    const inputPrice = (deployment: string) =>
      plan.servedPricing({ modelRequested: 'big', modelServed: 'big', deployment, attempts: [] })?.[0]
        .inputMicrosPerMtok;
    expect(inputPrice('p/big-2')).toBe(5_000_000);
    expect(inputPrice('p/big-1')).toBe(10_000_000);
    expect(
      plan.servedPricing({ modelRequested: 'big', modelServed: 'mid', deployment: 'p/mid-1', attempts: [] }),
    ).toBeUndefined();
    expect(plan.servedPricing({ modelRequested: 'big', attempts: [] })).toBeUndefined();
  });
});
