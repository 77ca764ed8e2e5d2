import { Injectable } from '@nestjs/common';
import { DatabaseAvailability } from '@app/persistence';
import { ModelCatalogService } from '@app/routing';

export interface ReadinessReport {
  status: 'ready' | 'unavailable';
  checks: { database: 'ok' | 'unreachable'; config: 'loaded' | 'empty'; draining: boolean };
}

/**
 * Whether this instance should get new traffic: its database answers, its catalog is loaded, and it is not
 * shutting down. Draining starts on SIGTERM, so load balancers move away while in-flight streams finish.
 * While the database is known to be down the answer comes at once from the shared signal (its probe
 * notices the recovery); otherwise a `SELECT 1` is asked, and a failure there marks it down for everyone.
 */
@Injectable()
export class Readiness {
  private draining = false;

  constructor(
    private readonly database: DatabaseAvailability,
    private readonly catalog: ModelCatalogService,
  ) {}

  startDraining(): void {
    this.draining = true;
  }

  async check(): Promise<ReadinessReport> {
    const database = this.database.reachable && (await this.database.check());
    const config = this.catalog.models().length > 0;
    return {
      status: database && config && !this.draining ? 'ready' : 'unavailable',
      checks: {
        database: database ? 'ok' : 'unreachable',
        config: config ? 'loaded' : 'empty',
        draining: this.draining,
      },
    };
  }
}
