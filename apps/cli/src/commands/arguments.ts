import { InvalidArgumentError, Option } from 'commander';

/**
 * Parsers and options shared by several command groups. A parser throws commander's InvalidArgumentError,
 * which the CLI reports as a usage error (exit 2) before any request is made.
 */

export const SCOPES = ['team', 'project', 'key'] as const;
export type Scope = (typeof SCOPES)[number];

export function scopeOption(scopes: readonly Scope[] = SCOPES): Option {
  return new Option('--scope <scope>', 'what the setting applies to').choices(scopes).makeOptionMandatory();
}

export function idOption(): Option {
  return new Option('--id <id>', 'id of the team, project or key').makeOptionMandatory();
}

/** `/admin/teams/<id>`, `/admin/projects/<id>`, `/admin/keys/<id>`. */
export function scopePath(scope: Scope, id: string): string {
  return `/admin/${scope}s/${encodeURIComponent(id)}`;
}

/** A comma-separated list: `gpt-4.1-mini,fast`. */
export function listArg(value: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

export function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError('expected a non-negative number');
  }
  return number;
}

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new InvalidArgumentError('expected a positive integer');
  return number;
}

/**
 * A per-minute limit: a positive integer, or `none` for no limit. `none` stays a string here: commander
 * turns a parser's null into an empty string.
 */
export function limitArg(value: string): number | 'none' {
  return value === 'none' ? value : positiveInteger(value);
}
