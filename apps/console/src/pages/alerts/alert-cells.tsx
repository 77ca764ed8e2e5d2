import type { Alert, AlertKind } from '../../api/types';
import { formatCount, formatMs, formatUsd } from '../../format';
import { Time } from '../../ui/time';
import type { Directory } from '../directory';

export const ALERT_KIND_LABELS: Record<AlertKind, string> = {
  budget_threshold: 'Budget threshold',
  spend_anomaly: 'Spend anomaly',
  auth_failures: 'Failed sign-ins',
  new_ip: 'New client IP',
  new_model: 'New model',
};

/** The team, project or key an alert is about, by name where the signed-in role may see it. */
export function AlertSubject({ alert, directory }: { alert: Alert; directory: Directory }) {
  const { type, id } = alert.subject;
  const name =
    type === 'team'
      ? directory.team(id)?.name
      : type === 'project'
        ? directory.project(id)?.name
        : directory.key(id)?.name;
  return (
    <span>
      {type} <strong>{name ?? ''}</strong>{' '}
      <code class="muted" title={id}>
        {name ? '' : id}
      </code>
    </span>
  );
}

/** One line on what happened; every figure is in the expandable details. */
export function alertSummary(alert: Alert): string {
  const { details } = alert;
  const number = (name: string) => {
    const value = details[name];
    return typeof value === 'number' ? value : null;
  };
  const text = (name: string) => {
    const value = details[name];
    return typeof value === 'string' ? value : '?';
  };
  switch (alert.kind) {
    case 'budget_threshold':
      return `${number('threshold_percent') ?? '?'} % of the ${text('period')} budget: ${formatUsd(
        number('spent_usd'),
      )} of ${formatUsd(number('limit_usd'))}`;
    case 'auth_failures':
      return `${formatCount(number('failures'), 'failed request')} with key ${text('key_prefix')}… in ${formatMs(
        (number('window_s') ?? 0) * 1000,
      )}`;
    case 'new_ip':
      return `first request from ${text('ip')}`;
    case 'new_model':
      return `first request for ${text('model')}`;
    case 'spend_anomaly':
      return `spend far above its baseline over ${formatMs((number('window_s') ?? 0) * 1000)}`;
  }
}

/** Delivered to every webhook, still being tried (failing or not yet), or no webhook configured. */
export function DeliveryState({ alert }: { alert: Alert }) {
  if (alert.deliveries.length === 0) return <span class="muted">no webhook</span>;
  if (alert.delivered_at) {
    return (
      <span>
        delivered <Time iso={alert.delivered_at} />
      </span>
    );
  }
  if (alert.delivery_failing) return <span class="badge status-server">failing</span>;
  return <span class="badge">pending</span>;
}
