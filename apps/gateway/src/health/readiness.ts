import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ModelCatalogService } from '@app/routing';

const DATABASE_CHECK_TIMEOUT_MS = 2_000;

export interface ReadinessReport {
  status: 'ready' | 'unavailable';
  checks: { database: 'ok' | 'unreachable'; config: 'loaded' | 'empty'; draining: boolean };
}

/**
 * Whether this instance should get new traffic: its database answers, its catalog is loaded, and it is not
 * shutting down. Draining starts on SIGTERM, so load balancers move away while in-flight streams finish.
 */
@Injectable()
export class Readiness {
  private draining = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: ModelCatalogService,
  ) {}

  startDraining(): void {
    this.draining = true;
  }

  async check(): Promise<ReadinessReport> {
    const database = await this.databaseAnswers();
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

  private async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(false), DATABASE_CHECK_TIMEOUT_MS)),
    );
    const query = this.dataSource.query('SELECT 1').then(
      () => true,
      () => false,
    );
    return Promise.race([query, timeout]).finally(() => clearTimeout(timer));
  }
}
