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
  // The guard is also exported by class: the proxy routes run it outside Nest's router (see the app's ProxyRoutes).
  providers: [ApiKeyService, AdminKeyService, TenancyService, ApiKeyGuard, { provide: APP_GUARD, useExisting: ApiKeyGuard }],
  exports: [ApiKeyService, AdminKeyService, TenancyService, ApiKeyGuard],
})
export class AuthModule {}
