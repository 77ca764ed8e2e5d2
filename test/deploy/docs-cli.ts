import { Command } from 'commander';
import { Writable } from 'node:stream';
import { runCli } from '../../apps/cli/src/cli';
import { codeBlockLines, codeSpans, DocText, proseOf, tableHeaded } from './docs-text';

/**
 * The `switchyard` command tree exactly as `runCli` builds it: commander's `parseAsync` is stubbed for one run,
 * which captures the program it is called on before anything is parsed (so nothing runs).
 */
export async function cliProgram(): Promise<Command> {
  const parse = jest.spyOn(Command.prototype, 'parseAsync').mockResolvedValue(undefined as never);
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await runCli([], { stdout: discard, stderr: discard, env: {}, stderrIsTty: false });
    const [program] = parse.mock.contexts;
    if (!program) throw new Error('runCli never parsed a command line');
    return program;
  } finally {
    parse.mockRestore();
  }
}

/** A `switchyard …` command line a doc shows (without the `switchyard`), and where. */
export interface DocumentedCommand {
  line: string;
  where: string;
}

/**
 * A `switchyard` command in a code block: run with `npx` or in a container (a bare `switchyard doctor: …` there
 * is output). Its arguments end where the shell takes over: a pipe, a `)`, a comment or a redirection.
 */
const IN_CODE_BLOCK = /(?:npx\s+|exec\s+\S+\s+)switchyard\s+((?:\S>|[^|)#>\n])+)/g;
/** Inline code that is a `switchyard` command: the span starts with it (`npx` allowed), or runs it in a container. */
const IN_SPAN = /(?:^(?:npx\s+)?|exec\s+\S+\s+)switchyard\s+((?:\S>|[^|)#>])+)/g;

/** Every `switchyard …` command a doc shows: in its code blocks and in its inline code. */
export function commandsShownIn(doc: DocText): DocumentedCommand[] {
  const found = (texts: string[], invocation: RegExp) =>
    texts.flatMap((text) =>
      [...text.matchAll(invocation)].map((match) => ({ line: match[1].trim(), where: doc.where })),
    );
  return [...found(codeBlockLines(doc), IN_CODE_BLOCK), ...found(codeSpans(proseOf(doc)), IN_SPAN)];
}

/** The commands of the reference table (`| Command | |`), one per code span, written without `switchyard`. */
export function commandsInTable(doc: DocText): DocumentedCommand[] {
  return tableHeaded(doc, 'Command').rows.flatMap(([commands]) =>
    codeSpans(commands).map((line) => ({ line, where: doc.where })),
  );
}

/** `switchyard teams create`: a command's path from the root. */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return ['switchyard', ...names].join(' ');
}

/** Commander's default subcommand (`command('list', { isDefault: true })`); it keeps the name private. */
function defaultSubcommand(command: Command): Command | undefined {
  const name = (command as unknown as { _defaultCommandName?: string })._defaultCommandName;
  return command.commands.find((sub) => sub.name() === name);
}

function optionOf(command: Command, flag: string) {
  for (let at: Command | null = command; at; at = at.parent) {
    const option = at.options.find((candidate) => candidate.long === flag || candidate.short === flag);
    if (option) return option;
  }
  return undefined;
}

/**
 * Reads one documented command line as commander would: its subcommands, then arguments and options. Answers
 * the command it names, or what is wrong with it. `[…]` marks something optional (`[filters]` stands for
 * options), `a|b` alternatives, and `…` an elided rest.
 */
export function resolveCommand(program: Command, line: string): { command?: Command; problem?: string } {
  const tokens = line.split(/\s+/).filter((token) => token && token !== '…' && token !== '...');
  // `npx switchyard …`: the CLI itself, not a command.
  if (tokens.length === 0) return { command: program };
  let command = program;
  let index = 0;
  for (; index < tokens.length && !tokens[index].startsWith('-') && !tokens[index].startsWith('['); index++) {
    const sub = command.commands.find(
      (candidate) => candidate.name() === tokens[index] || candidate.aliases().includes(tokens[index]),
    );
    if (!sub) break;
    command = sub;
  }
  if (command.commands.length > 0) {
    const fallback = defaultSubcommand(command);
    if (!fallback) {
      const names = command.commands.map((sub) => sub.name()).join(', ');
      const asked = [pathOf(command), tokens[index]].filter(Boolean).join(' ');
      return { problem: `"${asked}" is not a command (${pathOf(command)} has: ${names})` };
    }
    command = fallback;
  }
  let positional = 0;
  for (; index < tokens.length; index++) {
    const token = tokens[index].replace(/^\[|\]$/g, '');
    if (token.startsWith('-')) {
      for (const flag of token.split('|').map((alternative) => alternative.replace(/=.*$/, ''))) {
        const option = optionOf(command, flag);
        if (!option && flag !== '--help' && flag !== '-h') {
          return { problem: `${flag} is not an option of "${pathOf(command)}"` };
        }
        // Its value, unless the doc left it out (`[--since] [--until]`).
        const next = tokens[index + 1];
        if ((option?.required || option?.optional) && next !== undefined && !next.replace(/^\[/, '').startsWith('-')) {
          index++;
        }
      }
    } else if (!tokens[index].startsWith('[')) {
      positional++;
      if (positional > command.registeredArguments.length) {
        return { problem: `"${token}" is neither a command nor an argument of "${pathOf(command)}"` };
      }
    }
  }
  return { command };
}

/**
 * What the docs get wrong about the CLI: a command shown anywhere that the CLI does not have (or an option it
 * does not take), and a command the CLI has that the reference table leaves out.
 */
export function cliProblems(program: Command, shown: DocumentedCommand[], reference: DocumentedCommand[]): string[] {
  const problems: string[] = [];
  const resolve = ({ line, where }: DocumentedCommand) => {
    const { command, problem } = resolveCommand(program, line);
    if (problem) problems.push(`${where} shows "switchyard ${line}": ${problem}`);
    return command;
  };
  shown.forEach(resolve);
  const documented = new Set(reference.map(resolve));
  const referenceWhere = reference[0]?.where ?? 'the CLI reference table';
  for (const command of leaves(program)) {
    if (!documented.has(command))
      problems.push(`"${pathOf(command)}" is a command but ${referenceWhere} leaves it out: add it`);
  }
  return problems;
}

/** Every runnable command: those without subcommands of their own (commander's `help` is not one of ours). */
function leaves(command: Command): Command[] {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => (sub.commands.length > 0 ? leaves(sub) : [sub]));
}
