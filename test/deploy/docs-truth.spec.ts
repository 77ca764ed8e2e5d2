import { join } from 'node:path';
import { Command } from 'commander';
import { cliProblems, cliProgram, commandsInTable, commandsShownIn, resolveCommand } from './docs-cli';
import { doctorSampleProblems, doctorStepNames, shortSampleProblems } from './docs-doctor';
import { documentedSettings, envExampleEntries, SettingsFacts, settingsProblems } from './docs-settings';
import { DocText, readDoc, section } from './docs-text';
import { defaultDiffers, gatewayEnvNames, loadCatalogFile, ROOT } from './gateway-env';

/**
 * The README, docs/configuration.md, docs/operations.md and .env.example held to the code (issue 16: every
 * statement true): the settings and their defaults, the CLI's commands, the doctor sample. The routes and
 * metrics, which need a running gateway, are checked in observability-assets.spec.ts.
 */
const readme = () => readDoc('README.md');
const configuration = () => readDoc('docs/configuration.md');
const operations = () => readDoc('docs/operations.md');

/** `text` added to the end of a doc: a planted mistake. */
const planted = (doc: DocText, text: string): DocText => ({ where: doc.where, text: `${doc.text}\n${text}\n` });

describe('the settings docs and .env.example match what the settings read', () => {
  const read = gatewayEnvNames();
  // Each answer runs the settings factories twice; the planted cases below ask the same questions again.
  const answers = new Map<string, string | undefined>();
  const defaultDiffersOnce = (name: string, value: string) => {
    const key = `${name}=${value}`;
    if (!answers.has(key)) answers.set(key, defaultDiffers(name, value));
    return answers.get(key);
  };
  const facts = (overrides: Partial<SettingsFacts> = {}): SettingsFacts => ({
    read,
    reference: documentedSettings(section(configuration(), 'Server settings')),
    others: documentedSettings(section(readme(), 'Configuration')),
    envExample: envExampleEntries(readDoc('.env.example').text),
    catalogNames: new Set([...configuration().text.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((match) => match[1])),
    defaultDiffers: defaultDiffersOnce,
    ...overrides,
  });

  it('documents every variable read, with its real default, and nothing that is not read', () => {
    expect(facts().reference.length).toBeGreaterThan(40);
    expect(settingsProblems(facts())).toEqual([]);
  });

  it('reads the tables as the check above assumes', () => {
    const settings = facts().reference;
    const find = (name: string) => settings.find((setting) => setting.name === name);
    expect([find('PORT')?.defaultValue, find('HOST')?.defaultValue]).toEqual(['8080', '0.0.0.0']);
    expect(find('RATE_LIMIT_TEAM_TPM')?.defaultValue).toBe('0');
    expect(find('DATABASE_URL')).toMatchObject({ defaultValue: undefined });
    expect(find('ALERTS_DELIVERY_MAX_DELAY_MS')?.defaultValue).toBe('600000');
  });

  it('fails on a variable not documented, a documented one not read, a wrong default, a stale .env.example', () => {
    const real = facts();
    const withRow = (row: string) => {
      const table = section(configuration(), 'Server settings');
      return documentedSettings({
        ...table,
        text: table.text.replace(/^\| `LOG_LEVEL` .*$/m, (line) => `${line}\n${row}`),
      });
    };
    expect(settingsProblems(facts({ reference: withRow('| `SWITCHYARD_BOGUS_MS` | `5` | planted |') }))).toEqual([
      expect.stringMatching(
        /^SWITCHYARD_BOGUS_MS is documented in docs\/configuration.md "Server settings" but no setting reads it/,
      ),
    ]);
    expect(settingsProblems(facts({ reference: withRow('| `PORT` | `9090` | planted |') }))).toEqual([
      expect.stringMatching(
        /^PORT: .* gives the default 9090, but CONFIGURATION\(server\) reads PORT=9090 as port: 9090 \(unset: 8080\)/,
      ),
    ]);
    const withNew = new Set([...real.read, 'SWITCHYARD_NEW_SETTING']);
    expect(settingsProblems(facts({ read: withNew }))).toEqual([
      expect.stringMatching(
        /^SWITCHYARD_NEW_SETTING is read by the gateway's settings but missing from docs\/configuration.md "Server settings"/,
      ),
      expect.stringMatching(/^SWITCHYARD_NEW_SETTING is read by the gateway's settings but missing from .env.example/),
    ]);
    const envExample = new Map([...real.envExample, ['LOG_LEVEL', 'debug'], ['OLD_SETTING', undefined]]);
    expect(settingsProblems(facts({ envExample }))).toEqual([
      expect.stringMatching(/^.env.example sets LOG_LEVEL=debug, which is not its default/),
      expect.stringMatching(/^OLD_SETTING is in .env.example but no setting reads it/),
    ]);
  });
});

describe('the CLI the docs show is the CLI there is', () => {
  let program: Command;
  const shown = (docs: DocText[]) => docs.flatMap(commandsShownIn);
  const reference = (doc: DocText = operations()) => commandsInTable(section(doc, 'The `switchyard` CLI'));

  beforeAll(async () => {
    program = await cliProgram();
  });

  it('every `switchyard …` in the README and docs/operations.md exists, and the reference lists every command', () => {
    const commands = shown([readme(), operations()]);
    expect(commands.length).toBeGreaterThan(20);
    expect(cliProblems(program, commands, reference())).toEqual([]);
  });

  it('reads command lines as commander does', () => {
    const path = (line: string) => {
      const names: string[] = [];
      for (let at = resolveCommand(program, line).command; at?.parent; at = at.parent) names.unshift(at.name());
      return names.join(' ');
    };
    expect(path('requests --key KEY_ID --status 5xx --since 1h')).toBe('requests list');
    expect(path('requests export --format csv|jsonl [filters]')).toBe('requests export');
    expect(path('usage --group-by team [--since] [--until] [--team|--project|--key|--owner]')).toBe('usage');
    expect(path('teams create payments --json')).toBe('teams create');
    expect(path('requests show doctor-<run>-balance')).toBe('requests show');
    expect(resolveCommand(program, 'teams create payments extra')).toEqual({
      problem: '"extra" is neither a command nor an argument of "switchyard teams create"',
    });
  });

  it('fails on a command, a subcommand or an option the CLI does not have, and on a command left out of the reference', () => {
    const docs = [
      planted(readme(), '```bash\nnpx switchyard teams purge --all\nnpx switchyard bogus\n```'),
      planted(operations(), '`switchyard keys list --bogus-flag`'),
    ];
    expect(cliProblems(program, shown(docs), reference())).toEqual([
      'README.md shows "switchyard teams purge --all": "switchyard teams purge" is not a command (switchyard teams has: create, list)',
      expect.stringMatching(
        /^README.md shows "switchyard bogus": "switchyard bogus" is not a command \(switchyard has: teams, /,
      ),
      'docs/operations.md shows "switchyard keys list --bogus-flag": --bogus-flag is not an option of "switchyard keys list"',
    ]);
    const withoutQuota = reference().filter((entry) => !entry.line.startsWith('quota'));
    expect(cliProblems(program, [], withoutQuota)).toEqual([
      expect.stringMatching(
        /^"switchyard quota stats" is a command but docs\/operations.md "The `switchyard` CLI" leaves it out/,
      ),
    ]);
  });
});

describe('the doctor samples are a run on the default start', () => {
  const demo = loadCatalogFile(join(ROOT, 'config', 'switchyard.demo.yaml')).catalog;
  const facts = {
    steps: doctorStepNames(),
    demoModels: demo.models.reduce((count, model) => count + 1 + (model.aliases?.length ?? 0), 0),
    baseUrl: /Switchyard listening on (\S+)/.exec(section(readme(), 'Two-minute quickstart').text)![1],
  };
  const samples = () => [
    section(readme(), '`switchyard doctor`: the launch checklist'),
    section(operations(), '`switchyard doctor`: the launch checklist'),
  ];

  it('shows every step, the demo catalog’s models and the quickstart’s base URL; the README’s is the reference’s run', () => {
    expect(facts.steps.size).toBeGreaterThanOrEqual(8);
    expect(facts.baseUrl).toBe('http://localhost:8080/v1');
    const [short, full] = samples();
    expect([
      ...samples().flatMap((doc) => doctorSampleProblems(doc, facts)),
      ...shortSampleProblems(short, full),
    ]).toEqual([]);
  });

  it('fails on a missing step, a stale model count, another port, a README sample from another run', () => {
    const [short, full] = samples();
    const edited = (from: RegExp, to: string): DocText => ({ where: full.where, text: full.text.replace(from, to) });
    expect(doctorSampleProblems(edited(/^✓ stream .*$/m, ''), facts)).toEqual([
      expect.stringContaining('leaves out the step(s) stream'),
      expect.stringContaining('ends "8 passed, 0 failed, 0 skipped" after 7 passed steps'),
    ]);
    expect(doctorSampleProblems(edited(/\(\d+ models\)/, '(3 models)'), facts)).toEqual([
      expect.stringContaining(`says 3 models, but the demo catalog lists ${facts.demoModels}`),
    ]);
    expect(doctorSampleProblems(edited(/localhost:8080/g, 'localhost:18931'), facts)).toEqual([
      expect.stringContaining("calls http://localhost:18931/v1, not the quickstart's http://localhost:8080/v1"),
    ]);
    expect(shortSampleProblems({ where: short.where, text: short.text.replace(/\d+ ms/, '1 ms') }, full)).toEqual([
      expect.stringContaining('the doctor sample is not the run in docs/operations.md'),
    ]);
  });
});
