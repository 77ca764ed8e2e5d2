import { Logger, type LoggerService } from '@nestjs/common';
import { format } from 'node:util';

/**
 * Jest setup (every spec file): what Nest's static `Logger` is asked to log goes to memory instead of the
 * console. Specs that build services without an app (and gateways before their pino logger is in place) would
 * otherwise print the expected errors of deliberate failure tests in red, among real failures. A gateway's own
 * logs go to its capture (`TestGateway.logs`) as before. `TEST_LOGS=print` shows them on the console again.
 */
const lines: string[] = [];

const capture =
  (level: string) =>
  (message: unknown, ...rest: unknown[]) => {
    // Nest passes the context (the class name) last.
    const context = rest.length > 0 ? `[${String(rest.at(-1))}] ` : '';
    lines.push(`${level} ${context}${format(message, ...rest.slice(0, -1))}`);
  };

const memoryLogger: LoggerService = {
  log: capture('LOG'),
  error: capture('ERROR'),
  warn: capture('WARN'),
  debug: capture('DEBUG'),
  verbose: capture('VERBOSE'),
  fatal: capture('FATAL'),
};

if (process.env.TEST_LOGS !== 'print') Logger.overrideLogger(memoryLogger);

/** What this spec file's code logged through Nest's static logger, one entry per call: `LEVEL [Context] text`. */
export function capturedNestLogs(): readonly string[] {
  return lines;
}
