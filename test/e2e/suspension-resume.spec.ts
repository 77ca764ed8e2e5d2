import { DataSource } from 'typeorm';
import { AuditTrail } from '@app/audit';
import { ANOMALY_DETECTION_ACTOR, ApiKeyService, TenancyService } from '@app/auth';
import { AnomalySuspension } from '../../apps/gateway/src/alerts/detectors/anomaly-suspension';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * POST /admin/keys/{id}/resume and /admin/projects/{id}/resume record what they changed, once: admins
 * resuming the same key or project at the same moment leave one audit event, and a resume of something not
 * suspended (a repeat, or a click on a stale page) answers its state and records nothing. A suspension or
 * resume whose transaction rolls back (here: its audit event cannot be written) leaves this instance's cached
 * lookups as the database has them.
 */
describe('resuming suspended keys and projects', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let db: DataSource;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider'),
      // Longer than any test here: what a request is answered is this instance's cached lookup, never a re-read.
      env: { AUTH_CACHE_TTL_MS: '300000' },
    });
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

  describe('a suspension or resume whose transaction rolls back leaves the key as the database has it', () => {
    const chatStatus = async (key: string): Promise<number> =>
      (
        await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
        })
      ).status;
    /** The next audit event cannot be written, so the transaction that records it rolls back. */
    const failNextAuditEvent = () =>
      jest.spyOn(AuditTrail.prototype, 'append').mockRejectedValueOnce(new Error('test: audit write failed'));

    afterEach(() => jest.restoreAllMocks());

    it('a key suspension rolled back: the key is still served', async () => {
      const key = await gateway.createKey();
      expect(await chatStatus(key.key)).toBe(200); // its lookup is cached now
      failNextAuditEvent();
      await expect(
        gateway.gateway.app.get(AnomalySuspension).suspendKeys([key.id], 'test: anomaly', longAgo),
      ).rejects.toThrow('test: audit write failed');
      expect(await chatStatus(key.key)).toBe(200);
    });

    it('a project suspension rolled back: its keys are still served', async () => {
      const key = await gateway.createKey();
      expect(await chatStatus(key.key)).toBe(200);
      failNextAuditEvent();
      await expect(
        gateway.gateway.app.get(AnomalySuspension).suspendProject(key.projectId, 'test: anomaly', longAgo),
      ).rejects.toThrow('test: audit write failed');
      expect(await chatStatus(key.key)).toBe(200);
    });

    it('a key resume rolled back: the key is still refused', async () => {
      const key = await gateway.createKey();
      await gateway.gateway.app.get(AnomalySuspension).suspendKeys([key.id], 'test: anomaly', longAgo);
      expect(await chatStatus(key.key)).toBe(403);
      failNextAuditEvent();
      expect((await gateway.admin('POST', `/admin/keys/${key.id}/resume`)).status).toBe(500);
      expect(await chatStatus(key.key)).toBe(403);
    });

    it('a project resume rolled back: its keys are still refused', async () => {
      const key = await gateway.createKey();
      await gateway.gateway.app.get(AnomalySuspension).suspendProject(key.projectId, 'test: anomaly', longAgo);
      expect(await chatStatus(key.key)).toBe(403);
      failNextAuditEvent();
      expect((await gateway.admin('POST', `/admin/projects/${key.projectId}/resume`)).status).toBe(500);
      expect(await chatStatus(key.key)).toBe(403);
    });
  });
});
