import { DataSource } from 'typeorm';
import { ANOMALY_DETECTION_ACTOR, ApiKeyService, TenancyService } from '@app/auth';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * POST /admin/keys/{id}/resume and /admin/projects/{id}/resume record what they changed, once: admins
 * resuming the same key or project at the same moment leave one audit event, and a resume of something not
 * suspended (a repeat, or a click on a stale page) answers its state and records nothing.
 */
describe('resuming suspended keys and projects', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let db: DataSource;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({ catalog: openAiCatalog(await fake.start(), 'sk-provider') });
    db = gateway.gateway.app.get(DataSource);
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const change = { reason: 'test: spend anomaly', by: ANOMALY_DETECTION_ACTOR };
  const longAgo = new Date(0);
  const auditedActions = async (targetId: string, action: string): Promise<number> =>
    (
      await db.query(`SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1 AND action = $2`, [
        targetId,
        action,
      ])
    )[0].n;
  const resumeAtOnce = (path: string) =>
    Promise.all([1, 2, 3].map(() => gateway.admin('POST', path))).then((answers) => answers.map((a) => a.status));

  it('three admins resuming a key at once: resumed once, audited once', async () => {
    for (let n = 0; n < 3; n++) {
      const key = await gateway.createKey();
      const keys = gateway.gateway.app.get(ApiKeyService);
      expect(await keys.suspend([key.id], change, longAgo)).toHaveLength(1);

      expect(await resumeAtOnce(`/admin/keys/${key.id}/resume`)).toEqual([200, 200, 200]);
      expect(await auditedActions(key.id, 'key.resume')).toBe(1);
    }
  });

  it('three admins resuming a project at once: resumed once, audited once', async () => {
    for (let n = 0; n < 3; n++) {
      const key = await gateway.createKey();
      const tenancy = gateway.gateway.app.get(TenancyService);
      expect(await tenancy.suspendProject(key.projectId, change, longAgo)).not.toBeNull();

      expect(await resumeAtOnce(`/admin/projects/${key.projectId}/resume`)).toEqual([200, 200, 200]);
      expect(await auditedActions(key.projectId, 'project.resume')).toBe(1);
    }
  });

  it('resuming what is not suspended answers its state and records nothing', async () => {
    const key = await gateway.createKey();
    const keyAnswer = await gateway.admin('POST', `/admin/keys/${key.id}/resume`);
    expect(keyAnswer.status).toBe(200);
    expect(keyAnswer.body).toMatchObject({ id: key.id, suspended_at: null });
    const projectAnswer = await gateway.admin('POST', `/admin/projects/${key.projectId}/resume`);
    expect(projectAnswer.status).toBe(200);
    expect(projectAnswer.body).toMatchObject({ id: key.projectId, suspended_at: null });
    expect(await auditedActions(key.id, 'key.resume')).toBe(0);
    expect(await auditedActions(key.projectId, 'project.resume')).toBe(0);
  });
});
