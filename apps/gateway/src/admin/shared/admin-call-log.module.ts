import { Global, Injectable, Module } from '@nestjs/common';
import { AccessLog, AuditModule } from '@app/audit';
import { AdminCall, AdminCallLog } from '@app/auth';

/** The key guard's record of admin calls, kept in the audit lib's access log. */
@Injectable()
export class AccessLogAdminCalls extends AdminCallLog {
  constructor(private readonly accessLog: AccessLog) {
    super();
  }

  async record(call: AdminCall): Promise<void> {
    const { admin, ...rest } = call;
    await this.accessLog.record({ ...rest, actor: { id: admin.id, role: admin.role } });
  }
}

/** Global, because the key guard that records every admin call is AuthModule's, which cannot import audit. */
@Global()
@Module({
  imports: [AuditModule],
  providers: [{ provide: AdminCallLog, useClass: AccessLogAdminCalls }],
  exports: [AdminCallLog],
})
export class AdminCallLogModule {}
