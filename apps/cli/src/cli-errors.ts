/** Exit codes CI can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line itself is wrong (a missing option, a bad value): exit 2, nothing was attempted. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
}

/**
 * The command ran and its answer is "no": a check failed (audit chain broken, config invalid, a doctor
 * step failed). Its report has already been printed; exit 1 without a further message.
 */
export class CheckFailed extends Error {
  readonly exitCode = EXIT.failed;
  constructor() {
    super('check failed');
  }
}
