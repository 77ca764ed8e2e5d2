import type { CliIo } from '../cli-io';

/**
 * What a command prints. With `--json` stdout gets exactly one JSON document (the API's answer, for
 * scripts); otherwise the human rendering. Notes (hints, progress, warnings) go to stderr either way, so
 * they never corrupt what a script parses.
 */
export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  result(data: unknown, human: () => string): void {
    this.io.stdout.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : human());
  }

  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** A just-issued key or token: the one time the secret is printed, with a reminder that it is. */
  issued(data: unknown, human: () => string, what: 'key' | 'token'): void {
    this.result(data, human);
    this.note(`This ${what} is shown once and cannot be retrieved again: store it now.`);
  }
}

export function usd(micros: number | null | undefined): string | null {
  return micros === null || micros === undefined ? null : `$${(micros / 1e6).toFixed(6)}`;
}
