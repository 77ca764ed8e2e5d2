import { DocText, expandBraces } from './docs-text';

/** The gateway's own metric families: ours and the OpenTelemetry GenAI ones (Node's process metrics aside). */
const OWN_METRIC = /^(switchyard|gen_ai)_/;

/** A family is known by its `# TYPE` line, so a labelled metric with no series yet still counts as served. */
export function metricFamilies(scrape: string): Map<string, string> {
  return new Map([...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]]));
}

/** Every label name a scrape's series carry. */
export function labelNames(scrape: string): Set<string> {
  return new Set([...scrape.matchAll(/[{,](\w+)="/g)].map((match) => match[1]));
}

/**
 * The metric (or GenAI label) names a doc mentions, as written there: `switchyard_alerts_total{kind}` (labels
 * dropped), `switchyard_evidence_{written,dropped}_rows_total` (both), `switchyard_alert_deliveries_pending|failing`
 * (the last word swapped).
 */
export function mentionedNames(doc: DocText): Set<string> {
  const names = new Set<string>();
  for (const [mention] of doc.text.matchAll(/\b(?:switchyard|gen_ai)_[a-z0-9_{},|]*/g)) {
    const [first, ...others] = mention
      .replace(/\{[^{}]*\}?$/, '')
      .replace(/_+$/, '')
      .split('|');
    const variants = [first, ...others.map((word) => first.replace(/[a-z0-9]+$/, word))];
    for (const name of variants.flatMap(expandBraces)) names.add(name);
  }
  return names;
}

/** `x_bucket`, `x_sum`, `x_count` of a histogram are its family `x`. */
function familyOf(name: string, families: Map<string, string>): string | undefined {
  if (families.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return families.get(base) === 'histogram' ? base : undefined;
}

/**
 * What the docs get wrong about /metrics: a name they mention that the gateway does not serve (as a metric, or
 * as a label of its series), and a metric of ours that none of `describing` mentions.
 */
export function metricProblems(scrape: string, mentioning: DocText[], describing: DocText[]): string[] {
  const families = metricFamilies(scrape);
  const labels = labelNames(scrape);
  const problems: string[] = [];
  for (const doc of mentioning) {
    for (const name of mentionedNames(doc)) {
      if (!familyOf(name, families) && !labels.has(name)) {
        problems.push(
          `${doc.where} mentions ${name}, which /metrics does not serve (as a metric or a label): fix the name or remove it`,
        );
      }
    }
  }
  const described = new Set(describing.flatMap((doc) => [...mentionedNames(doc)]));
  for (const family of [...families.keys()].filter((name) => OWN_METRIC.test(name))) {
    if (!described.has(family)) {
      problems.push(
        `${family} is served by /metrics but not described in ${describing.map((doc) => doc.where).join(' or ')}: add it to the README's metrics table`,
      );
    }
  }
  return problems;
}
