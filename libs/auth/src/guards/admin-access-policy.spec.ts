import type { AdminPrincipal, AdminRole } from '@app/common';
import type { AdminAccessRule } from './access.decorator';
import { adminRefusal } from './admin-access-policy';

const admin = (role: AdminRole): AdminPrincipal => ({
  id: 'token-1',
  name: 'someone',
  role,
  teamIds: role === 'team_admin' ? ['team-a'] : [],
});
const rule = (operation: AdminAccessRule['operation'], reach: AdminAccessRule['reach'] = 'team') => ({
  operation,
  reach,
});

describe('adminRefusal', () => {
  it('lets an owner call every route', () => {
    for (const operation of ['read', 'write'] as const) {
      for (const reach of ['team', 'global'] as const) {
        for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
          expect(adminRefusal(admin('owner'), rule(operation, reach), method)).toBeNull();
        }
      }
    }
  });

  it('lets an auditor read team and global routes, and refuses every write', () => {
    expect(adminRefusal(admin('auditor'), rule('read'), 'GET')).toBeNull();
    expect(adminRefusal(admin('auditor'), rule('read', 'global'), 'HEAD')).toBeNull();
    expect(adminRefusal(admin('auditor'), rule('write'), 'POST')).toMatch(/change nothing/);
    expect(adminRefusal(admin('auditor'), rule('write', 'global'), 'POST')).toMatch(/change nothing/);
  });

  it('takes any method but GET and HEAD as a write, whatever the rule declares', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post']) {
      expect(adminRefusal(admin('auditor'), rule('read'), method)).toMatch(/change nothing/);
    }
  });

  it('lets a team admin read and write team routes, and refuses global ones', () => {
    expect(adminRefusal(admin('team_admin'), rule('read'), 'GET')).toBeNull();
    expect(adminRefusal(admin('team_admin'), rule('write'), 'POST')).toBeNull();
    expect(adminRefusal(admin('team_admin'), rule('read', 'global'), 'GET')).toMatch(/own teams only/);
    expect(adminRefusal(admin('team_admin'), rule('write', 'global'), 'POST')).toMatch(/own teams only/);
  });
});
