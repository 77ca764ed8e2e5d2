import type { AllowList } from '../../api/types';

/** Allow-lists in a few words: "models: a, b · IPs: 10.0.0.0/8", or "no allow-lists". */
export function AllowListSummary({ models, tiers, ips }: { models: AllowList; tiers: AllowList; ips?: AllowList }) {
  const parts = [
    models && `models: ${models.join(', ')}`,
    tiers && `tiers: ${tiers.join(', ')}`,
    ips && `IPs: ${ips.join(', ')}`,
  ].filter(Boolean);
  return (
    <span class={parts.length ? 'allow-lists' : 'muted'}>{parts.length ? parts.join(' · ') : 'no allow-lists'}</span>
  );
}
