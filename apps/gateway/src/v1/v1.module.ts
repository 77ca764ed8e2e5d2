import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { QuotaModule } from '@app/quota';
import { RoutingModule } from '@app/routing';
import { AnomalyDetectorsModule } from '../alerts/detectors/anomaly-detectors.module';
import { RequestEvidence } from '../evidence/request-evidence';
import { RedactionModule } from '../redaction.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { ModelCallService } from './model-call/model-call.service';
import { SpendService } from './model-call/spend.service';
import { ModelsController } from './models/models.controller';
import { GlobalEnhancers } from './pipeline/global-enhancers';
import { KeyStreamLimit } from './pipeline/key-stream-limit';
import { LoadShedder } from './pipeline/load-shedder';
import { RequestLifecycle } from './pipeline/request-lifecycle';
import { V1Pipeline } from './pipeline/v1-pipeline';
import { V1_APIS } from './v1-routes';

/**
 * The data plane: the `/v1` pipeline with its route table of inbound APIs, the model-call service they
 * share, and `GET /v1/models`. See docs/architecture.md for a request's way through it.
 */
@Module({
  imports: [RoutingModule, QuotaModule, AuditModule, RedactionModule, IdempotencyModule, AnomalyDetectorsModule],
  controllers: [ModelsController],
  providers: [
    GlobalEnhancers,
    RequestLifecycle,
    RequestEvidence,
    V1Pipeline,
    LoadShedder,
    KeyStreamLimit,
    ModelCallService,
    SpendService,
    ...V1_APIS,
  ],
  exports: [V1Pipeline],
})
export class V1Module {}
