import type { Command } from 'commander';
import { UsageError } from './cli-errors';
import type { CliIo } from './cli-io';
import { AdminClient } from './http/admin-client';
import { Output } from './output/output';

export const DEFAULT_URL = 'http://localhost:8080';

interface GlobalOptions {
  url?: string;
  adminKey?: string;
  json?: boolean;
}

/** What every command handler needs: the admin API client and the output, from the global options. */
export class CommandContext {
  constructor(readonly io: CliIo) {}

  output(command: Command): Output {
    return new Output(this.io, command.optsWithGlobals<GlobalOptions>().json === true);
  }

  /** `--url` / SWITCHYARD_URL and `--admin-key` / SWITCHYARD_ADMIN_KEY; a missing key is a usage error. */
  client(command: Command): AdminClient {
    const options = command.optsWithGlobals<GlobalOptions>();
    const url = options.url ?? this.io.env.SWITCHYARD_URL ?? DEFAULT_URL;
    const adminKey = options.adminKey ?? this.io.env.SWITCHYARD_ADMIN_KEY;
    if (!adminKey) throw new UsageError('no admin key: set SWITCHYARD_ADMIN_KEY (or pass --admin-key)');
    return new AdminClient(url, adminKey);
  }
}

/** Registers one command group on the program. */
export type CommandGroup = (program: Command, context: CommandContext) => void;
