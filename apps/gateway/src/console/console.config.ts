import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const schema = z.object({
  // Relative to the working directory, like SWITCHYARD_CONFIG and SWITCHYARD_DATA_DIR: `npm run build` writes it.
  SWITCHYARD_CONSOLE_DIR: z.string().trim().min(1).default('dist/console'),
});

export interface ConsoleSettings {
  /** The built console (index.html and its assets), as an absolute path. */
  dir: string;
}

export const consoleConfig = registerAs('console', (): ConsoleSettings => {
  const env = parseEnv('console', schema);
  return { dir: resolve(env.SWITCHYARD_CONSOLE_DIR) };
});
