import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './gateway-env';

/**
 * Reading the README and docs/ as the checks in docs-truth.spec.ts need them: sections, tables, code spans and
 * code blocks. `where` says in failure messages which file and section to fix.
 */
export interface DocText {
  where: string;
  text: string;
}

export function readDoc(path: string): DocText {
  return { where: path, text: readFileSync(join(ROOT, path), 'utf8') };
}

/** A markdown line with whether it sits inside a fenced code block (where `# …` is a comment, not a heading). */
function linesOf(text: string): Array<{ line: string; fenced: boolean; fence: boolean }> {
  let fenced = false;
  return text.split('\n').map((line) => {
    const fence = /^\s*```/.test(line);
    if (fence) fenced = !fenced;
    return { line, fenced: fenced && !fence, fence };
  });
}

function headingLevel(line: string): number {
  return /^(#+) /.exec(line)?.[1].length ?? 0;
}

/** The part of a markdown file under `heading` (its text without the `#`s), up to the next heading of its level or higher. */
export function section(doc: DocText, heading: string): DocText {
  const lines = linesOf(doc.text);
  const start = lines.findIndex(
    ({ line, fenced }) => !fenced && headingLevel(line) > 0 && line.replace(/^#+ /, '') === heading,
  );
  if (start < 0) throw new Error(`${doc.where} has no heading "${heading}"`);
  const level = headingLevel(lines[start].line);
  const end = lines.findIndex(
    ({ line, fenced }, index) => index > start && !fenced && headingLevel(line) > 0 && headingLevel(line) <= level,
  );
  const text = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .map(({ line }) => line)
    .join('\n');
  return { where: `${doc.where} "${heading}"`, text };
}

export interface Table {
  header: string[];
  rows: string[][];
}

/** Every table outside code blocks; cells trimmed, `\|` read as a literal `|`. */
export function tables(doc: DocText): Table[] {
  const found: Table[] = [];
  let current: string[][] | undefined;
  for (const { line, fenced } of linesOf(doc.text)) {
    if (fenced || !line.startsWith('|')) {
      current = undefined;
      continue;
    }
    const cells = line
      .replace(/^\|/, '')
      .replace(/\|\s*$/, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
    if (!current) {
      current = [cells];
      found.push({ header: cells, rows: [] });
    } else if (!cells.every((cell) => /^:?-+:?$/.test(cell))) {
      found.at(-1)!.rows.push(cells);
    }
  }
  return found;
}

/** The one table whose header starts with `firstColumn`. */
export function tableHeaded(doc: DocText, firstColumn: string): Table {
  const matching = tables(doc).filter((table) => table.header[0] === firstColumn);
  if (matching.length !== 1)
    throw new Error(`${doc.where}: expected one table headed "${firstColumn}", found ${matching.length}`);
  return matching[0];
}

/** The `code spans` of a piece of markdown. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
}

/** The text outside fenced code blocks. */
export function proseOf(doc: DocText): string {
  return linesOf(doc.text)
    .filter(({ fenced, fence }) => !fenced && !fence)
    .map(({ line }) => line)
    .join('\n');
}

/** The lines of every fenced code block, a `\` continuation joined to its next line. */
export function codeBlockLines(doc: DocText): string[] {
  const fenced = linesOf(doc.text)
    .filter(({ fenced: inside }) => inside)
    .map(({ line }) => line)
    .join('\n');
  return fenced.replace(/\\\n\s*/g, ' ').split('\n');
}

/** Shell-style brace expansion of comma lists: `A_{X,Y}_B` is `A_X_B`, `A_Y_B` (`{id}` is left alone). */
export function expandBraces(text: string): string[] {
  const group = /\{([^{}]*,[^{}]*)\}/.exec(text);
  if (!group) return [text];
  const before = text.slice(0, group.index);
  const after = text.slice(group.index + group[0].length);
  return group[1].split(',').flatMap((choice) => expandBraces(before + choice + after));
}
