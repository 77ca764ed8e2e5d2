import { catalogSchema } from './catalog.schema';
import { CatalogGeneration } from './catalog-generation';

const model = (name: string, fallbacks: string[] = []) => ({
  name,
  fallbacks,
  deployments: [{ provider: 'p', model: name }],
});

function generation(): CatalogGeneration {
  const config = catalogSchema.parse({
    providers: [{ id: 'p', type: 'mock' }],
    models: [model('a', ['b', 'c']), { ...model('b', ['d']), aliases: ['bee'] }, model('c', ['bee', 'd']), model('d')],
  });
  return new CatalogGeneration(config, new Map());
}

describe('CatalogGeneration', () => {
  it('routes a model, then its fallbacks depth-first, each model once', () => {
    const catalog = generation();
    expect(catalog.route(catalog.resolve('a')!).map((m) => m.name)).toEqual(['a', 'b', 'd', 'c']);
    expect(catalog.route(catalog.resolve('d')!).map((m) => m.name)).toEqual(['d']);
  });

  it('retires once the last lease is released, not before', async () => {
    const catalog = generation();
    const first = catalog.lease();
    const second = catalog.lease();
    let retired = false;
    const retirement = catalog.retire(60_000).then(() => (retired = true));
    first.release();
    first.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(retired).toBe(false);
    second.release();
    await retirement;
    expect(retired).toBe(true);
  });

  it('retires after the grace period even if a lease is never released', async () => {
    const catalog = generation();
    catalog.lease();
    const started = Date.now();
    await catalog.retire(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
