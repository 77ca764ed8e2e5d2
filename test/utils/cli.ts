import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../apps/cli/src/cli';

const ROOT = join(__dirname, '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface BinResult extends CliResult {
  /** The child's peak resident memory, in MB. */
  peakRssMb: number;
}

/** The CLI's main function in this process, with its own environment (nothing from the test's own). */
export async function runCliInProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await runCli(args, { stdout, stderr, env, stderrIsTty: false });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The built CLI as npm runs it: the file package.json's `bin` names (built by `npm run build`). */
export function cliBinPath(): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { switchyard: string } };
  const bin = join(ROOT, manifest.bin.switchyard);
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: run \`npm run build\` before this test`);
  return bin;
}

export interface BinOptions {
  env?: Record<string, string>;
  /** Send stdout to this file instead of collecting it (large exports). */
  stdoutFile?: string;
}

/** The built `switchyard` bin in a child process, its peak memory measured. */
export async function runCliBin(args: string[], options: BinOptions = {}): Promise<BinResult> {
  const out = options.stdoutFile ? openSync(options.stdoutFile, 'w') : 'pipe';
  const peakFile = join(mkdtempSync(join(tmpdir(), 'switchyard-rss-')), 'peak');
  const child = spawn(process.execPath, ['--require', join(__dirname, 'peak-rss.js'), cliBinPath(), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env, PEAK_RSS_FILE: peakFile },
    stdio: ['ignore', out, 'pipe'],
  });
  if (typeof out === 'number') closeSync(out);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, stdout, stderr, peakRssMb: Number(readFileSync(peakFile, 'utf8')) / 1024 };
}

class TextSink extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
