import { readFileSync, watch, FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { routingConfig } from '../routing.config';
import { ModelCatalogService } from './model-catalog.service';

/** Editors and config-map updates write in several steps; reload once they have settled. */
const SETTLE_MS = 100;

/**
 * Reloads the catalog on SIGHUP and when the config file's content changes. The directory is watched rather
 * than the file, because editors and Kubernetes config maps replace the file (or a symlink to it), which
 * silently ends a watch on the file itself; unchanged content does not reload.
 */
@Injectable()
export class CatalogReloadTriggers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CatalogReloadTriggers.name);
  private readonly file: string;
  private watcher?: FSWatcher;
  private settleTimer?: NodeJS.Timeout;
  private lastContent?: string;
  private readonly onSighup = () => this.catalog.reload('sighup');

  constructor(
    @Inject(routingConfig.KEY) settings: ConfigType<typeof routingConfig>,
    private readonly catalog: ModelCatalogService,
  ) {
    this.file = resolve(settings.configPath);
  }

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.onSighup);
    this.lastContent = this.readContent();
    try {
      this.watcher = watch(dirname(this.file), () => this.scheduleCheck());
      this.watcher.on('error', (error) =>
        this.logger.warn({ error: error.message }, 'config file watch failed; SIGHUP still reloads'),
      );
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'cannot watch the config file; SIGHUP still reloads');
    }
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onSighup);
    this.watcher?.close();
    clearTimeout(this.settleTimer);
  }

  private scheduleCheck(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      const content = this.readContent();
      if (content === undefined || content === this.lastContent) return;
      this.lastContent = content;
      this.catalog.reload('file');
    }, SETTLE_MS);
  }

  /** The file's text, or undefined while it is missing (mid-replace). */
  private readContent(): string | undefined {
    try {
      return readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
  }
}
