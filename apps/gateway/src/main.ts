import './heap-tuning';
import { createGateway } from './bootstrap';
import { stopGracefullyOn } from './health/graceful-shutdown';
import { firstRunBanner } from './setup/first-run.service';

async function main(): Promise<void> {
  const { app, settings, firstRun } = await createGateway();
  stopGracefullyOn(app, settings.drainDelayMs);
  await app.listen(settings.port, settings.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const baseUrl = `http://${settings.host === '0.0.0.0' ? 'localhost' : settings.host}:${port}`;
  // After every start-up log line (the app logger writes synchronously), so the keys do not scroll away.
  process.stdout.write(`Switchyard listening on ${baseUrl}/v1\n`);
  if (firstRun) process.stdout.write(firstRunBanner(firstRun, baseUrl));
}

main().catch((error: unknown) => {
  process.stderr.write(`Switchyard failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
