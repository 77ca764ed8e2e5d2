import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { RoutingModule } from '@app/routing';
import { GatewayAlertsModule } from '../gateway-alerts.module';
import { AnomalyDetectors } from './anomaly-detectors';
import { AnomalySuspension } from './anomaly-suspension';
import { AuthFailureDetector } from './auth-failure.detector';
import { SightingDetector } from './sighting.detector';
import { SpendAnomalyDetector } from './spend-anomaly.detector';
import { UsageRollup } from './usage-rollup';
import { UsageWindowsQuery } from './usage-windows.query';

/**
 * The anomaly detectors (`spend_anomaly`, `auth_failures`, `new_ip`, `new_model`) and the `on_anomaly:
 * suspend` action: fed by the evidence of every request (RequestEvidence calls `AnomalyDetectors.observe`),
 * composed here from auth (keys, suspension), audit (the trail) and alerts (raise), which may not import
 * each other.
 */
@Module({
  imports: [AuthModule, AuditModule, RoutingModule, GatewayAlertsModule],
  providers: [
    AnomalyDetectors,
    AnomalySuspension,
    UsageRollup,
    UsageWindowsQuery,
    SpendAnomalyDetector,
    AuthFailureDetector,
    SightingDetector,
  ],
  exports: [AnomalyDetectors],
})
export class AnomalyDetectorsModule {}
