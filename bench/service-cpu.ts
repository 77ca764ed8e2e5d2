import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (ms) used so far by the local processes with this command name (`redis-server`, `postgres`), read
 * from /proc. The gateway's shared services run on the same machine and their cost per request belongs in
 * the report; 0 where /proc is unavailable or the service runs elsewhere.
 */
export function cpuMsOf(command: string): number {
  let ms = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return 0;
  }
  for (const pid of pids) ms += cpuMsOfProcess(pid, command);
  return ms;
}

/**
 * CPU time (ms, all threads, 10 ms resolution) used so far by one process and its reaped children; with
 * `command`, only if that is its name. 0 when it cannot be read (ended, or no /proc).
 */
export function cpuMsOfProcess(pid: number | string, command?: string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ..." — comm may contain spaces, so split after its closing parenthesis.
    const close = stat.lastIndexOf(')');
    if (command !== undefined && stat.slice(stat.indexOf('(') + 1, close) !== command) return 0;
    const fields = stat.slice(close + 2).split(' ');
    // utime, stime, and cutime, cstime: children it has reaped (fields 14–17 of the whole line), so that a
    // Postgres backend that exits during a measurement moves its CPU to the postmaster instead of losing it.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
