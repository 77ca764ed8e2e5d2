/** What selection needs to know about a deployment. */
export interface Weighted {
  weight: number;
  /** Lower is preferred. */
  priority: number;
}

/**
 * Picks among the candidates of the best (lowest) priority, each with a chance proportional to its weight.
 * The caller passes only deployments that may serve now, so a worse priority serves only when every better
 * one is unhealthy, cooling down or already failed this request.
 */
export function pickDeployment<T extends Weighted>(
  candidates: readonly T[],
  random: () => number = Math.random,
): T | undefined {
  if (candidates.length === 0) return undefined;
  // The usual case, and the draw below would pick it anyway: no arrays, no random number.
  if (candidates.length === 1) return candidates[0];
  let best = candidates[0].priority;
  for (const candidate of candidates) best = Math.min(best, candidate.priority);
  const pool = candidates.filter((candidate) => candidate.priority === best);
  let ticket = random() * pool.reduce((sum, candidate) => sum + candidate.weight, 0);
  for (const candidate of pool) {
    ticket -= candidate.weight;
    if (ticket < 0) return candidate;
  }
  // Floating-point rounding can leave a sliver of the ticket; it belongs to the last candidate.
  return pool[pool.length - 1];
}
