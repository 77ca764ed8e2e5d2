import type { Writable } from 'node:stream';

/**
 * Where a run of the CLI reads its environment and writes its output. `main.ts` passes the process's own;
 * tests pass buffers, so the whole CLI can run in-process against a test gateway.
 */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal: live progress lines (`\r`) only make sense there. */
  stderrIsTty: boolean;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stderrIsTty: process.stderr.isTTY };
}
