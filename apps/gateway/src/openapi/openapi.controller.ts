import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@app/auth';
import { SELF_ONLY_SECURITY_HEADERS, sendStaticFile, StaticFile, staticFile, REVALIDATE } from '../console/static-file';
import { RouteInventory } from '../http/route-inventory';
import { DocsSite } from './docs-site';
import { openApiDocument } from './openapi-document';

/**
 * The API's OpenAPI document and a reader for it. Both are public: the document names routes and shapes,
 * never a key or a tenant.
 */
@Public()
@Controller()
export class OpenApiController {
  /** Built on first use: by then every route is mounted, and the mounted routes are what it describes. */
  private document: StaticFile | null = null;
  private site: DocsSite | null = null;

  constructor(private readonly moduleRef: ModuleRef) {}

  @Get('openapi.json')
  async openApi(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.document ??= staticFile(
      'openapi.json',
      Buffer.from(JSON.stringify(openApiDocument(this.moduleRef.get(RouteInventory, { strict: false }).routes))),
      REVALIDATE,
    );
    await sendStaticFile(this.document, request, reply);
  }

  @Get('docs')
  async index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.serve('index.html', request, reply);
  }

  @Get('docs/:file')
  async file(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.serve(file, request, reply);
  }

  private async serve(path: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.headers(SELF_ONLY_SECURITY_HEADERS);
    this.site ??= DocsSite.load();
    const file = this.site.resolve(path);
    if (!file) {
      await reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('No such file.\n');
      return;
    }
    await sendStaticFile(file, request, reply);
  }
}
