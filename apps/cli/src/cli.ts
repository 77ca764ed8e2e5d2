import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXIT, UsageError } from './cli-errors';
import type { CliIo } from './cli-io';
import { accessCommands } from './commands/access';
import { alertsCommands } from './commands/alerts';
import { auditCommands } from './commands/audit';
import { budgetsCommands } from './commands/budgets';
import { configCommands } from './commands/config';
import { doctorCommand } from './commands/doctor';
import { keysCommands } from './commands/keys';
import { limitsCommands } from './commands/limits';
import { projectsCommands } from './commands/projects';
import { quotaCommands } from './commands/quota';
import { requestsCommands } from './commands/requests';
import { teamsCommands } from './commands/teams';
import { tokensCommands } from './commands/tokens';
import { usageCommands } from './commands/usage';
import { CommandContext, CommandGroup, DEFAULT_URL } from './context';
import { ApiError } from './http/admin-client';

const GROUPS: CommandGroup[] = [
  teamsCommands,
  projectsCommands,
  keysCommands,
  budgetsCommands,
  limitsCommands,
  accessCommands,
  usageCommands,
  requestsCommands,
  alertsCommands,
  auditCommands,
  configCommands,
  quotaCommands,
  tokensCommands,
  doctorCommand,
];

/**
 * Runs one command line (without `node switchyard`) and answers the exit code: 0 done, 1 failed (an API
 * error, an unreachable gateway, a check that said no), 2 usage error. Never calls process.exit, so tests
 * can run it in-process.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('switchyard')
    .description(
      'Operate a Switchyard gateway: tenancy, keys, budgets, evidence, audit, admin tokens, and the launch doctor.',
    )
    .version(packageVersion(), '-V, --version')
    .option('--url <url>', `gateway base URL (env SWITCHYARD_URL, default ${DEFAULT_URL})`)
    .option('--admin-key <key>', 'admin key (prefer the env SWITCHYARD_ADMIN_KEY: a flag lands in shell history)')
    .option('--json', 'print the API’s JSON, for scripts')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const context = new CommandContext(io);
  for (const group of GROUPS) group(program, context);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

function exitCodeFor(error: unknown, io: CliIo): number {
  // Commander has printed its own message (or the help or version, which exit 0).
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof UsageError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof Error && 'exitCode' in error && typeof error.exitCode === 'number') return error.exitCode;
  if (error instanceof ApiError) {
    io.stderr.write(`error: ${error.message} (HTTP ${error.status}${error.code ? `, ${error.code}` : ''})\n`);
    return EXIT.failed;
  }
  io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failed;
}

/** The package's version, from the package.json above this file (source or build output). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
