import type { LogFn, Logger } from 'pino';

/**
 * Nest's start-up chatter: "Starting Nest application", a line per module initialised, per controller and per
 * route mapped (~60 at info), "successfully started". Nothing an operator acts on, and it buried the
 * first-start banner; the gateway prints its own "listening" line instead.
 */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);
const INFO = 30;

/**
 * pino's `logMethod` hook: the framework's info lines are logged at debug (so `LOG_LEVEL=debug` still shows
 * them); everything else as called. nestjs-pino passes the Nest context as `context` in the first argument.
 */
export function demoteFrameworkInfo(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
  const first: unknown = args[0];
  const context = typeof first === 'object' && first !== null ? (first as { context?: unknown }).context : undefined;
  if (level === INFO && typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) {
    this.debug(...args);
    return;
  }
  method.apply(this, args);
}
