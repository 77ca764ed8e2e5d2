import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createServer } from 'node:net';
import { cpuMsOfProcess } from './service-cpu';

/** A benchmark process pinned to a CPU core, so load generator and gateway do not steal from each other. */
export interface BenchProcess {
  child: ChildProcess;
  port: number;
  rssMb(): number;
  /** CPU time (ms) the process has used so far, all threads. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Forks a script that reports `{port}` over IPC once it listens. */
export async function startPinned(
  script: string,
  core: number | string,
  env: NodeJS.ProcessEnv,
): Promise<BenchProcess> {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  pin(child.pid!, core);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return wrap(child, port);
}

/** How bench/alloc.ts runs the gateway: extra V8/Node flags, and its stdout (GC trace and log lines) into a file. */
export interface GatewayOptions {
  execArgv?: string[];
  stdout?: number;
}

/** Starts the built gateway (dist) on a free port and waits until /healthz answers. */
export async function startGateway(
  core: number | string,
  env: NodeJS.ProcessEnv,
  options: GatewayOptions = {},
): Promise<BenchProcess> {
  const port = await freePort();
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const child = fork('dist/apps/gateway/src/main.js', [], {
    // BENCH_PROFILE_DIR=… writes a V8 CPU profile of the gateway for the whole run.
    execArgv: [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...(options.execArgv ?? [])],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit', 'ipc'],
  });
  pin(child.pid!, core);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error('gateway did not become healthy within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return wrap(child, port);
}

function wrap(child: ChildProcess, port: number): BenchProcess {
  return {
    child,
    port,
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    },
    cpuMs: () => cpuMsOfProcess(child.pid!),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Pins a process to one core with taskset, when available (the numbers mean more with it). */
export function pin(pid: number, core: number | string): void {
  try {
    execFileSync('taskset', ['-pc', String(core), String(pid)], { stdio: 'ignore' });
  } catch {
    // No taskset (or not allowed): the run still works, only noisier.
  }
}

/**
 * Moves every running process of the named services (and the backends they fork later) to `core`, and
 * returns how to put them back on every core. In production a gateway's database and Redis run elsewhere;
 * here, left unpinned, the kernel sometimes runs a Postgres backend on the gateway's core for milliseconds.
 */
export function pinServices(names: readonly string[], core: number): () => void {
  const pids = names.flatMap((name) => {
    try {
      return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  for (const pid of pids) pin(pid, core);
  return () => {
    for (const pid of pids) pin(pid, `0-${cpus().length - 1}`);
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
