import type { AdminPrincipal } from '@app/common';
import type { AdminAccessRule } from './access.decorator';

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Why `admin` may not call a route with this rule and method, or null when it may. The method has the last
 * word on writing: whatever a rule says, only GET and HEAD count as reads, so a handler that changes
 * something cannot be opened to auditors by a wrong declaration.
 */
export function adminRefusal(admin: AdminPrincipal, rule: AdminAccessRule, method: string): string | null {
  const writes = rule.operation === 'write' || !READ_METHODS.has(method.toUpperCase());
  switch (admin.role) {
    case 'owner':
      return null;
    case 'auditor':
      return writes ? 'This admin token is an auditor’s: it may read everything and change nothing.' : null;
    case 'team_admin':
      return rule.reach === 'global'
        ? 'This admin token is a team admin’s: it acts on its own teams only, and this route concerns every team.'
        : null;
  }
}
