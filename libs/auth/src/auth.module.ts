import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { authConfig } from './auth.config';
import { ApiKeyGuard } from './guards/api-key.guard';
import { AdminKeyService } from './keys/admin-key.service';
import { ApiKeyService } from './keys/api-key.service';
import { TenancyService } from './tenancy/tenancy.service';

@Module({
  imports: [ConfigModule.forFeature(authConfig)],
  // A global guard: Nest runs it on its routes, and the app's /v1 pipeline runs the same instance on its own.
  providers: [ApiKeyService, AdminKeyService, TenancyService, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyService, AdminKeyService, TenancyService],
})
export class AuthModule {}
