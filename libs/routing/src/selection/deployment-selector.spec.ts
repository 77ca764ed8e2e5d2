import { pickDeployment } from './deployment-selector';

/** A small seeded generator (mulberry32), so the counts are reproducible and the test cannot flake. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shares(
  candidates: Array<{ id: string; weight: number; priority: number }>,
  draws: number,
  seed: number,
): Record<string, number> {
  const random = seeded(seed);
  const counts: Record<string, number> = {};
  for (let i = 0; i < draws; i++) {
    const picked = pickDeployment(candidates, random)!;
    counts[picked.id] = (counts[picked.id] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([id, count]) => [id, count / draws]));
}

describe('pickDeployment', () => {
  it.each([1, 2, 3])(
    'splits 2,000 picks by weight, each share within ±5 points of its weight share (seed %i)',
    (seed) => {
      const result = shares(
        [
          { id: 'a', weight: 3, priority: 0 },
          { id: 'b', weight: 1, priority: 0 },
        ],
        2_000,
        seed,
      );
      expect(Math.abs(result.a - 0.75)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(result.b - 0.25)).toBeLessThanOrEqual(0.05);
    },
  );

  it('uses only the best priority present', () => {
    const result = shares(
      [
        { id: 'backup', weight: 100, priority: 1 },
        { id: 'primary-1', weight: 1, priority: 0 },
        { id: 'primary-2', weight: 1, priority: 0 },
      ],
      500,
      7,
    );
    expect(result.backup).toBeUndefined();
    expect(result['primary-1'] + result['primary-2']).toBe(1);
  });

  it('falls to the next priority when the better ones are not candidates, and to nothing when none are', () => {
    expect(pickDeployment([{ id: 'backup', weight: 1, priority: 2 }])?.id).toBe('backup');
    expect(pickDeployment([])).toBeUndefined();
  });
});
