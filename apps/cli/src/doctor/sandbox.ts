import type { AdminClient } from '../http/admin-client';

interface IssuedKey {
  id: string;
  key: string;
  masked_key: string;
}

/**
 * A throw-away team and project on a Switchyard, for the checks that need a key of their own (a tiny
 * budget, a limit of one request per minute). Keys are issued per check and revoked when it ends; the
 * team and project stay (the admin API deletes neither) and are named `doctor-<run>` so they are recognisable.
 */
export class Sandbox {
  private constructor(
    private readonly admin: AdminClient,
    readonly projectId: string,
    private readonly onIssued: (key: string) => void,
  ) {}

  /** `onIssued` learns every key issued, so that reports can mask it wherever it shows up. */
  static async create(admin: AdminClient, runId: string, onIssued: (key: string) => void): Promise<Sandbox> {
    const team = await admin.post<{ id: string }>('/admin/teams', { name: `doctor-${runId}` });
    const project = await admin.post<{ id: string }>('/admin/projects', { name: `doctor-${runId}`, team_id: team.id });
    return new Sandbox(admin, project.id, onIssued);
  }

  /** Runs `check` with a fresh test key, revoking the key afterwards whatever happens. */
  async withKey<T>(name: string, check: (key: IssuedKey) => Promise<T>): Promise<T> {
    const key = await this.admin.post<IssuedKey>('/admin/keys', {
      project_id: this.projectId,
      name: `doctor ${name}`,
      environment: 'test',
    });
    this.onIssued(key.key);
    try {
      return await check(key);
    } finally {
      await this.admin.post(`/admin/keys/${key.id}/revoke`);
    }
  }

  setBudget(keyId: string, limitUsd: number) {
    return this.admin.put<{ warnings?: string[] }>(`/admin/keys/${keyId}/budget`, {
      limit_usd: limitUsd,
      period: 'total',
    });
  }

  setRpm(keyId: string, rpm: number) {
    return this.admin.put(`/admin/keys/${keyId}/rate-limits`, { rpm });
  }
}
