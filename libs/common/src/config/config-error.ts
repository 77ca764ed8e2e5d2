import type { ZodError } from 'zod';

/** A configuration problem found at boot; the message names the offending path. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** `['models', 2, 'deployments', 0, 'provider']` → `models[2].deployments[0].provider`. */
export function formatConfigPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export function configErrorFromZod(source: string, error: ZodError): ConfigError {
  const lines = error.issues.map((issue) => `  ${formatConfigPath(issue.path)}: ${issue.message}`);
  return new ConfigError(`Invalid ${source}:\n${lines.join('\n')}`);
}
