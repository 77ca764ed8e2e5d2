import { Controller, Get, Param, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ModelObject, requestContext } from '@app/common';
import { ModelCatalogService, ModelConfig } from '@app/routing';

// A fixed timestamp: the catalog has no creation date and OpenAI's shape requires one.
const CREATED = 1_764_288_000;

/** `GET /v1/models`: calls no model, so an ordinary Nest controller behind the same global guards. */
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly catalog: ModelCatalogService) {}

  /** OpenAI's list shape; every name and alias the caller's key may use is its own entry. */
  @Get()
  list(@Req() request: FastifyRequest): { object: 'list'; data: ModelObject[] } {
    const principal = requestContext(request.raw).principal!;
    const data = this.catalog
      .visibleModels(principal)
      .flatMap((model) => [model.name, ...model.aliases].map((id) => modelObject(id, model)));
    return { object: 'list', data };
  }

  @Get(':id')
  get(@Param('id') id: string, @Req() request: FastifyRequest): ModelObject {
    return modelObject(id, this.catalog.admit(requestContext(request.raw).principal!, id));
  }
}

function modelObject(id: string, model: ModelConfig): ModelObject {
  return { id, object: 'model', created: CREATED, owned_by: model.deployments[0].provider };
}
