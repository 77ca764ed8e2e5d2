import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@app/auth';
import { consoleConfig } from './console.config';
import { ConsoleSite } from './console-site';
import { SELF_ONLY_SECURITY_HEADERS, sendStaticFile } from './static-file';

const PREFIX = '/console/';

const NOT_BUILT =
  'The Switchyard console is not built. Run `npm run build` (it writes dist/console, or SWITCHYARD_CONSOLE_DIR), then reload this page.\n';

/**
 * The web console at /console: a single-page app whose files hold no secret, so it is public; every admin
 * call it makes carries the admin token the user pasted, and is authorised by the admin API like any other.
 */
@Public()
@Controller('console')
export class ConsoleController {
  /** Loaded on first use, and looked for again while it is missing, so a build made after start-up is served. */
  private site: ConsoleSite | null = null;

  constructor(@Inject(consoleConfig.KEY) private readonly settings: ConfigType<typeof consoleConfig>) {}

  @Get()
  async index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.serve('index.html', request, reply);
  }

  @Get('*')
  async file(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const path = request.url.split('?')[0].slice(PREFIX.length);
    await this.serve(safeDecode(path), request, reply);
  }

  /** `path` is relative to /console/; null for one that cannot be decoded. */
  private async serve(path: string | null, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.headers(SELF_ONLY_SECURITY_HEADERS);
    this.site ??= ConsoleSite.load(this.settings.dir);
    if (!this.site) {
      await reply.status(503).header('content-type', 'text/plain; charset=utf-8').send(NOT_BUILT);
      return;
    }
    const file = path === null ? null : this.site.resolve(path || 'index.html');
    if (!file) {
      await reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('No such console file.\n');
      return;
    }
    await sendStaticFile(file, request, reply);
  }
}

function safeDecode(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}
