import { posix } from 'node:path';
import { codeSpans, DocText, expandBraces, tableHeaded } from './docs-text';

/** One variable of a settings table (`| Variable | Default | Meaning |`), its default as the table gives it. */
export interface DocumentedSetting {
  name: string;
  /** Undefined for `—` (no default: unset means off or the embedded alternative). */
  defaultValue: string | undefined;
  where: string;
}

/**
 * The rows of a doc's settings table. A row may name several variables (`PORT` / `HOST`, or
 * `RATE_LIMIT_{KEY,PROJECT,TEAM}_{RPM,TPM}`); its defaults pair with its code spans in order, or one default
 * stands for all of them.
 */
export function documentedSettings(doc: DocText): DocumentedSetting[] {
  return tableHeaded(doc, 'Variable').rows.flatMap(([variables, defaults]) => {
    const names = codeSpans(variables);
    const values = codeSpans(defaults);
    if (values.length > 1 && values.length !== names.length) {
      throw new Error(`${doc.where}: the row of ${variables} has ${values.length} defaults for ${names.length} names`);
    }
    return names.flatMap((span, index) =>
      expandBraces(span).map((name) => ({
        name,
        defaultValue: values[values.length > 1 ? index : 0],
        where: doc.where,
      })),
    );
  });
}

/** `.env.example`'s variables: set (`NAME=value`) or shown commented out (`# NAME=`, value undefined). */
export function envExampleEntries(text: string): Map<string, string | undefined> {
  const entries = new Map<string, string | undefined>();
  for (const line of text.split('\n')) {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) entries.set(match[2], match[1] ? undefined : match[3]);
  }
  return entries;
}

export interface SettingsFacts {
  /** Every variable the gateway's settings read (gateway-env.ts). */
  read: Set<string>;
  /** The reference table: every variable read must be in it. */
  reference: DocumentedSetting[];
  /** Other settings tables (the README's short one): what they name must be read, with its real default. */
  others: DocumentedSetting[];
  envExample: Map<string, string | undefined>;
  /** `${NAME}`s the catalog examples use (provider keys): `.env.example` may show them too. */
  catalogNames: Set<string>;
  /** What differs when `name` is set to `value` rather than left unset; undefined when `value` is its default. */
  defaultDiffers: (name: string, value: string) => string | undefined;
}

/** Every way the settings docs and `.env.example` disagree with what the settings read, each naming where to fix it. */
export function settingsProblems(facts: SettingsFacts): string[] {
  const problems: string[] = [];
  const referenceWhere = facts.reference[0]?.where ?? 'the settings reference';
  const documented = new Map(facts.reference.map((setting) => [setting.name, setting]));
  for (const name of [...facts.read].sort()) {
    if (!documented.has(name))
      problems.push(`${name} is read by the gateway's settings but missing from ${referenceWhere}: add a row`);
    if (!facts.envExample.has(name)) {
      problems.push(
        `${name} is read by the gateway's settings but missing from .env.example: add it (set to its default, or as "# ${name}=")`,
      );
    }
  }
  // `<SWITCHYARD_DATA_DIR>/spill`: a default given as a path under another setting's default.
  const resolve = (value: string) =>
    value.replace(/^<([A-Z][A-Z0-9_]*)>(\/.*)?$/, (whole, name: string, rest?: string) => {
      const base = documented.get(name)?.defaultValue;
      return base === undefined ? whole : posix.join(base, rest ?? '');
    });
  for (const setting of [...facts.reference, ...facts.others]) {
    if (!facts.read.has(setting.name)) {
      problems.push(
        `${setting.name} is documented in ${setting.where} but no setting reads it: remove the row or fix the name`,
      );
    } else if (setting.defaultValue !== undefined) {
      const differs = facts.defaultDiffers(setting.name, resolve(setting.defaultValue));
      if (differs)
        problems.push(
          `${setting.name}: ${setting.where} gives the default ${setting.defaultValue}, but ${differs}: fix its Default`,
        );
    }
  }
  for (const [name, value] of facts.envExample) {
    if (!facts.read.has(name) && !facts.catalogNames.has(name)) {
      problems.push(
        `${name} is in .env.example but no setting reads it (nor a catalog example as \${${name}}): remove it`,
      );
    } else if (value !== undefined && facts.read.has(name)) {
      // "All are optional": a copied .env.example must not change a thing.
      const differs = facts.defaultDiffers(name, value);
      if (differs)
        problems.push(
          `.env.example sets ${name}=${value}, which is not its default (${differs}): set the default or comment it out`,
        );
    }
  }
  return problems;
}
