import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { codeBlockLines, DocText } from './docs-text';
import { ROOT } from './gateway-env';

/** The doctor's steps, by name, from its step files (`apps/cli/src/doctor/steps/*.step.ts`). */
export function doctorStepNames(): Set<string> {
  const dir = join(ROOT, 'apps', 'cli', 'src', 'doctor', 'steps');
  const names = readdirSync(dir)
    .filter((file) => file.endsWith('.step.ts'))
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- every step file, found by name
    .flatMap((file) => Object.values(require(join(dir, file)) as Record<string, { name?: unknown; run?: unknown }>))
    .filter((step) => typeof step?.run === 'function' && typeof step.name === 'string')
    .map((step) => step.name as string);
  return new Set(names);
}

/** A doc's `$ npx switchyard doctor …` sample: the lines of its output, after the command. */
export function doctorSample(doc: DocText): string[] {
  const lines = codeBlockLines(doc);
  const start = lines.findIndex((line) => line.startsWith('$ npx switchyard doctor'));
  if (start < 0) throw new Error(`${doc.where} has no "$ npx switchyard doctor" sample`);
  const end = lines.findIndex((line, index) => index > start && /^\d+ passed, \d+ failed, \d+ skipped$/.test(line));
  return lines.slice(start, end + 1);
}

export interface DoctorFacts {
  steps: Set<string>;
  /** What `GET /v1/models` lists on the default start: the demo catalog's names and aliases. */
  demoModels: number;
  /** The base URL the README quickstart serves on. */
  baseUrl: string;
}

/**
 * What a doctor sample gets wrong about a run on the default start: its steps (every one, each once, with the
 * timeout step the sample asks for), its tally, the models the demo catalog lists, and the quickstart's base URL.
 */
export function doctorSampleProblems(doc: DocText, facts: DoctorFacts): string[] {
  const sample = doctorSample(doc);
  const problems: string[] = [];
  const stale = (what: string) =>
    problems.push(`${doc.where}: the doctor sample ${what}: re-run it on a fresh \`npm start\` and paste the output`);
  const shown = sample.map((line) => /^[✓✗-] (\w+)\s/.exec(line)?.[1]).filter((name): name is string => !!name);
  const missing = [...facts.steps].filter((name) => !shown.includes(name));
  const unknown = shown.filter((name) => !facts.steps.has(name));
  if (missing.length > 0) stale(`leaves out the step(s) ${missing.join(', ')}`);
  if (unknown.length > 0) stale(`shows step(s) the doctor does not have: ${unknown.join(', ')}`);
  if (sample.at(-1) !== `${shown.length} passed, 0 failed, 0 skipped`)
    stale(`ends "${sample.at(-1)}" after ${shown.length} passed steps`);
  const models = sample.map((line) => /is listed \((\d+) models\)/.exec(line)?.[1]).find(Boolean);
  if (Number(models) !== facts.demoModels) {
    stale(`says ${models} models, but the demo catalog lists ${facts.demoModels} (names and aliases)`);
  }
  for (const url of new Set(sample.join('\n').match(/https?:\/\/[^\s·]+/g))) {
    if (url !== facts.baseUrl) stale(`calls ${url}, not the quickstart's ${facts.baseUrl}`);
  }
  return problems;
}

/** The README's short sample is the reference's run without each step's evidence lines. */
export function shortSampleProblems(short: DocText, full: DocText): string[] {
  const brief = doctorSample(full).filter((line) => !/^\s+\S/.test(line));
  const shown = doctorSample(short);
  return shown.join('\n') === brief.join('\n')
    ? []
    : [`${short.where}: the doctor sample is not the run in ${full.where} (its step lines): copy them from there`];
}
