import type { Command } from 'commander';
import { CheckFailed } from '../cli-errors';
import type { CommandGroup } from '../context';
import { renderFields } from '../output/table';

interface ReloadResult {
  trigger: string;
  accepted: boolean;
  models: number;
  error: string | null;
}

/** `switchyard config check FILE` (offline, the gateway's own validator) and `config reload`. */
export const configCommands: CommandGroup = (program, context) => {
  const config = program.command('config').description('the model catalog file');
  config
    .command('check <file>')
    .description('validate a catalog file offline, with the gateway’s own validator; exit 1 when invalid')
    .action(async (file: string, _options: object, command: Command) => {
      // Loaded on demand: the validator brings the routing lib, which no other command needs.
      const { checkCatalogFile } = await import('../catalog-check');
      const check = checkCatalogFile(file, context.io.env);
      const output = context.output(command);
      output.result(check, () => {
        if (check.ok) return `${file}: valid\n`;
        const lines = check.errors.map(
          (error) => `  ${file}${error.line ? `:${error.line}:${error.column}` : ''}  ${error.path}: ${error.message}`,
        );
        return `${file}: ${check.errors.length} error${check.errors.length === 1 ? '' : 's'}\n${lines.join('\n')}\n`;
      });
      for (const warning of check.warnings) output.note(`warning: ${warning}`);
      if (!check.ok) throw new CheckFailed();
    });
  config
    .command('reload')
    .description('make the gateway re-read its catalog file (a rejected file leaves the current one serving)')
    .action(async (_options: object, command: Command) => {
      const result = await context.client(command).post<ReloadResult>('/admin/config/reload');
      context.output(command).result(result, () =>
        renderFields([
          ['accepted', result.accepted],
          ['models', result.models],
        ]),
      );
    });
};
