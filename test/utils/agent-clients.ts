/**
 * Runs the real coding-agent CLIs — Claude Code (`claude -p`) and Codex CLI (`codex exec`) — headless against a
 * gateway, each in a throwaway HOME / CODEX_HOME so neither reads the machine's config, logins or sessions.
 * How they were observed to behave (endpoints, headers, retries): test/fixtures/agents/README.md.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN_DIR = join(__dirname, '..', '..', 'node_modules', '.bin');

export type AgentClient = 'claude' | 'codex';

/** Path of the client's executable in the repo's node_modules/.bin, or undefined when it is not installed. */
export function agentExecutable(client: AgentClient): string | undefined {
  const path = join(BIN_DIR, client);
  return existsSync(path) ? path : undefined;
}

export interface AgentRunOptions {
  /** Gateway origin without `/v1` (what ANTHROPIC_BASE_URL takes); Codex is given `${baseUrl}/v1`. */
  baseUrl: string;
  /** Gateway key. */
  apiKey: string;
  model: string;
  prompt: string;
  /** Killed (whole process group) after this long; default 60 s. */
  timeoutMs?: number;
  /** Extra environment for the client, e.g. CLAUDE_CODE_MAX_RETRIES. */
  env?: Record<string, string>;
}

export interface ClaudeCodeRunOptions extends AgentRunOptions {
  /** `bearer` sends the key as ANTHROPIC_AUTH_TOKEN (Authorization: Bearer), `x-api-key` as ANTHROPIC_API_KEY. */
  auth?: 'bearer' | 'x-api-key';
  /** Tools allowed without a prompt; default Bash. (`--dangerously-skip-permissions` is refused when run as root.) */
  allowedTools?: string[];
}

export interface CodexRunOptions extends AgentRunOptions {
  /** Extra keys for the `[model_providers.switchyard]` table, e.g. `{ request_max_retries: 0 }`. */
  providerConfig?: Record<string, string | number | boolean>;
}

export interface AgentRun {
  /** Null when the process was killed by a signal (including the timeout). */
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * `claude -p <prompt> --output-format json`: stdout is one JSON object whose `result` is the final text.
 * Non-essential traffic (title generation, update checks, telemetry) is off, so it makes only the model calls
 * (2.1.197 still sends `HEAD /` first); the side-call model names are pinned to `model` too.
 */
export async function runClaudeCode(options: ClaudeCodeRunOptions): Promise<AgentRun> {
  const executable = requireExecutable('claude');
  const keyVariable = options.auth === 'x-api-key' ? 'ANTHROPIC_API_KEY' : 'ANTHROPIC_AUTH_TOKEN';
  return withTempDirs(['home', 'work'], ([home, work]) =>
    runProcess(
      executable,
      [
        ...['-p', options.prompt, '--model', options.model, '--output-format', 'json'],
        ...['--allowedTools', (options.allowedTools ?? ['Bash']).join(',')],
      ],
      {
        cwd: work,
        timeoutMs: options.timeoutMs,
        env: {
          HOME: home,
          ANTHROPIC_BASE_URL: options.baseUrl,
          [keyVariable]: options.apiKey,
          ANTHROPIC_SMALL_FAST_MODEL: options.model,
          ANTHROPIC_DEFAULT_HAIKU_MODEL: options.model,
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_TELEMETRY: '1',
          DISABLE_AUTOUPDATER: '1',
          ...options.env,
        },
      },
    ),
  );
}

/**
 * `codex exec <prompt>` with a custom model provider (`wire_api = "responses"`): stdout is the final message,
 * stderr the transcript. Commands run without Codex's sandbox (bubblewrap may not work in CI containers).
 */
export async function runCodex(options: CodexRunOptions): Promise<AgentRun> {
  const executable = requireExecutable('codex');
  return withTempDirs(['home', 'codex-home', 'work'], async ([home, codexHome, work]) => {
    await writeFile(join(codexHome, 'config.toml'), codexConfig(options));
    return runProcess(
      executable,
      ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', options.prompt],
      {
        cwd: work,
        timeoutMs: options.timeoutMs,
        env: { HOME: home, CODEX_HOME: codexHome, SWITCHYARD_KEY: options.apiKey, ...options.env },
      },
    );
  });
}

function codexConfig(options: CodexRunOptions): string {
  const provider = {
    name: 'Switchyard',
    base_url: `${options.baseUrl}/v1`,
    env_key: 'SWITCHYARD_KEY',
    wire_api: 'responses',
    ...options.providerConfig,
  };
  // JSON string and number literals are valid TOML literals for these flat values.
  const lines = Object.entries(provider).map(([key, value]) => `${key} = ${JSON.stringify(value)}`);
  return [
    `model = ${JSON.stringify(options.model)}`,
    'model_provider = "switchyard"',
    '',
    '[model_providers.switchyard]',
    ...lines,
    '',
  ].join('\n');
}

function requireExecutable(client: AgentClient): string {
  const executable = agentExecutable(client);
  if (!executable) throw new Error(`${client} is not installed in ${BIN_DIR}`);
  return executable;
}

async function withTempDirs<T>(names: string[], use: (dirs: string[]) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), 'switchyard-agent-'));
  const dirs = names.map((name) => join(root, name));
  try {
    await Promise.all(dirs.map((dir) => mkdir(dir)));
    return await use(dirs);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Runs with only PATH from this process's environment, so a developer's own ANTHROPIC_API_KEY or OPENAI_API_KEY
 * never reaches the client; stdin is closed (Codex would otherwise wait to read a prompt from it).
 */
function runProcess(executable: string, args: string[], options: ProcessOptions): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the timeout also ends the native binary the codex.js wrapper spawns.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, timedOut, stdout, stderr });
    });
  });
}
