import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller';

/** GET /openapi.json (the API's OpenAPI 3.1 document, built from the mounted routes) and its reader at /docs. */
@Module({ controllers: [OpenApiController] })
export class OpenApiModule {}
