import type { GatewayKey } from '../../api/types';
import { useSession } from '../../session/session';
import { EnvironmentBadge, keyState, KeyStateBadge } from '../../ui/badges';
import { Empty } from '../../ui/resource';
import { SuspensionDetails } from '../../ui/suspension';
import { Time } from '../../ui/time';
import { AllowListSummary } from './allow-lists';

export type KeyAction = 'settings' | 'rotate' | 'revoke' | 'resume';

interface KeysTableProps {
  keys: GatewayKey[];
  /** The project is suspended: its active keys are refused too, although nothing is wrong with them. */
  projectSuspended: boolean;
  onAction: (action: KeyAction, key: GatewayKey) => void;
}

export function KeysTable({ keys, projectSuspended, onAction }: KeysTableProps) {
  const { can } = useSession();
  if (keys.length === 0) return <Empty title="No keys in this project yet." />;
  return (
    <table class="table" data-testid="keys">
      <thead>
        <tr>
          <th>Key</th>
          <th>Environment</th>
          <th>State</th>
          <th>Allow-lists</th>
          <th>Expires</th>
          <th>Last used</th>
          <th>
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const state = keyState(key);
          return (
            <tr key={key.id} data-key-id={key.id}>
              <td>
                <div class="key-name">{key.name}</div>
                <code class="muted">{key.masked_key}</code>
                {key.owner && <div class="muted">owner: {key.owner}</div>}
              </td>
              <td>
                <EnvironmentBadge environment={key.environment} />
              </td>
              <td>
                <KeyStateBadge state={state} />
                {state === 'suspended' && <SuspensionDetails suspension={key} />}
                {state === 'active' && projectSuspended && <div class="muted">refused: its project is suspended</div>}
              </td>
              <td>
                <AllowListSummary models={key.models} tiers={key.tiers} ips={key.allowed_ips} />
              </td>
              <td>{key.expires_at ? <Time iso={key.expires_at} /> : <span class="muted">never</span>}</td>
              <td>{key.last_used_at ? <Time iso={key.last_used_at} /> : <span class="muted">never</span>}</td>
              <td class="row-actions">
                <button type="button" class="button small" onClick={() => onAction('settings', key)}>
                  {can.write && state !== 'revoked' ? 'Settings' : 'Details'}
                </button>
                {can.write && state === 'suspended' && (
                  <button type="button" class="button small primary" onClick={() => onAction('resume', key)}>
                    Resume
                  </button>
                )}
                {can.write && state !== 'revoked' && (
                  <>
                    <button type="button" class="button small" onClick={() => onAction('rotate', key)}>
                      Rotate
                    </button>
                    <button type="button" class="button small danger" onClick={() => onAction('revoke', key)}>
                      Revoke
                    </button>
                  </>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
