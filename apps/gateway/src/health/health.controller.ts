import { Controller, Get } from '@nestjs/common';
import { Public } from '@app/auth';

@Controller()
export class HealthController {
  /** Liveness: answers once the app has booted (database migrated, config loaded). */
  @Public()
  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
