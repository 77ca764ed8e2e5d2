import { Command, Option } from 'commander';
import { CheckFailed, UsageError } from '../cli-errors';
import type { CliIo } from '../cli-io';
import type { CommandGroup } from '../context';
import { runDoctor } from '../doctor/doctor';
import { renderChecklist } from '../doctor/report';
import { maskSecret } from '../doctor/secrets';
import { positiveInteger } from './arguments';

interface DoctorOptions {
  baseUrl: string;
  keyEnv: string;
  model: string;
  adminKeyEnv?: string;
  timeoutCheck?: boolean;
  requestTimeout: number;
}

/**
 * `switchyard doctor`: the launch checklist against any OpenAI-compatible base URL. Keys are named by the
 * environment variable holding them, never given on the command line. Exit 1 when a step fails.
 */
export const doctorCommand: CommandGroup = (program, context) => {
  program
    .command('doctor')
    .description(
      'run the launch checklist against an OpenAI-compatible base URL: base URL, models, chat, stream, wrong key, ' +
        'and on a Switchyard with an admin key, insufficient balance and rate limit',
    )
    .addOption(
      new Option(
        '--base-url <url>',
        'the base URL an SDK would use, e.g. https://gw.example.com/v1',
      ).makeOptionMandatory(),
    )
    .addOption(new Option('--key-env <var>', 'environment variable holding the API key').makeOptionMandatory())
    .addOption(new Option('--model <name>', 'model to call').makeOptionMandatory())
    .option(
      '--admin-key-env <var>',
      'environment variable holding a Switchyard admin key (enables balance and rate_limit)',
    )
    .option('--timeout-check', 'also show how a client timeout surfaces')
    .option('--request-timeout <ms>', 'give up on a request after this long', positiveInteger, 60_000)
    .action(async (options: DoctorOptions, command: Command) => {
      const key = fromEnv(context.io, options.keyEnv, '--key-env');
      const adminKey = options.adminKeyEnv ? fromEnv(context.io, options.adminKeyEnv, '--admin-key-env') : undefined;
      const report = await runDoctor({
        baseUrl: options.baseUrl,
        key,
        model: options.model,
        adminKey,
        timeoutCheck: options.timeoutCheck === true,
        requestTimeoutMs: options.requestTimeout,
      });
      const heading = `switchyard doctor: ${options.baseUrl} · model ${options.model} · key ${maskSecret(key)} ($${options.keyEnv})`;
      context.output(command).result(report, () => renderChecklist(report, heading));
      if (!report.ok) throw new CheckFailed();
    });
};

function fromEnv(io: CliIo, name: string, option: string): string {
  const value = io.env[name];
  if (!value) throw new UsageError(`${option}: the environment variable ${name} is not set`);
  return value;
}
