import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import { AdminKeyService, ApiKeyService, TenancyService } from '@app/auth';
import { ModelCatalogService } from '@app/routing';

export interface FirstRunCredentials {
  adminKey: string;
  demoKey: string;
  demoModel: string;
}

/**
 * Zero-setup mode: with no `SWITCHYARD_ADMIN_KEY` and an empty database, create an admin key and a demo
 * team, project and key, so a newcomer can make a call at once. The keys exist in full only in the
 * returned value, which `main` prints once to the console (never to the JSON log). All four open the
 * audit trail, as `system:first-run`.
 */
@Injectable()
export class FirstRunService {
  constructor(
    private readonly adminKeys: AdminKeyService,
    private readonly apiKeys: ApiKeyService,
    private readonly tenancy: TenancyService,
    private readonly catalog: ModelCatalogService,
    private readonly trail: AuditTrail,
  ) {}

  async setUp(): Promise<FirstRunCredentials | null> {
    if (this.adminKeys.configuredByEnvironment || (await this.adminKeys.hasStoredKeys())) return null;
    return this.trail.transact('system:first-run', async (tx) => {
      const { manager } = tx;
      const admin = await this.adminKeys.create({ name: 'first-run admin key', role: 'owner', teamIds: [] }, manager);
      await tx.record({
        action: 'admin_key.create',
        target: { type: 'admin_key', id: admin.entity.id },
        after: { name: 'first-run admin key' },
      });
      const team = await this.tenancy.createTeam('demo', manager);
      await tx.record({ action: 'team.create', target: { type: 'team', id: team.id }, after: { name: team.name } });
      const project = await this.tenancy.createProject(team.id, 'demo', manager);
      await tx.record({
        action: 'project.create',
        target: { type: 'project', id: project.id },
        after: { name: project.name, team_id: team.id },
      });
      const demo = await this.apiKeys.create({ projectId: project.id, name: 'demo key', environment: 'test' }, manager);
      await tx.record({
        action: 'key.create',
        target: { type: 'key', id: demo.entity.id },
        after: { name: 'demo key', project_id: project.id },
      });
      return { adminKey: admin.key, demoKey: demo.key, demoModel: this.catalog.models()[0].name };
    });
  }
}

export function firstRunBanner(credentials: FirstRunCredentials, baseUrl: string): string {
  const line = '─'.repeat(72);
  return [
    line,
    'Switchyard first start: created a demo team, project and key. Shown once; store them now.',
    `  admin key (for /admin): ${credentials.adminKey}`,
    `  demo key  (for /v1):    ${credentials.demoKey}`,
    'Try it:',
    `  curl ${baseUrl}/v1/chat/completions -H "Authorization: Bearer ${credentials.demoKey}" \\`,
    `    -H "Content-Type: application/json" -d '{"model":"${credentials.demoModel}","messages":[{"role":"user","content":"Hello"}]}'`,
    line,
    '',
  ].join('\n');
}
