import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Preloaded into the gateway the reliability bench measures (`NODE_OPTIONS=--require …/reliability-probe.js`),
 * so the figures are the gateway's own: its event loop's delay, its CPU time and its memory, with nothing of
 * the load generator or the hostile upstream in the same process. Driven over the fork's IPC channel:
 *   { probe: 'start' }  collect garbage until RSS settles, note memory and CPU, start the delay histogram
 *   { probe: 'stop' }   stop it, collect garbage again, answer with the figures (`ProbeFigures`)
 */

/** 2 ms: a turn's length is measured to within a few ms, at ~500 timer wake-ups a second. */
const RESOLUTION_MS = 2;
const MiB = 1024 * 1024;

export interface MemoryFigures {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's old space, the part of heapTotal a burst of long-lived objects grows. */
  oldSpace: number;
  /** Resident bytes of the main malloc arena (`[heap]`, grown with brk): small native allocations. */
  brkHeap: number;
  /**
   * Resident bytes of anonymous mappings: V8's heap pages, large native allocations (mmap'd), and the malloc
   * arenas of other threads (the libuv pool's, where zlib runs).
   */
  anonymous: number;
}

export interface ProbeFigures {
  /** Longest event-loop delay seen while measuring, in ms. */
  maxDelayMs: number;
  p99DelayMs: number;
  /** Longest garbage-collection pause on the main thread while measuring, and their sum, in ms. */
  maxGcPauseMs: number;
  gcPauseMs: number;
  /** User and system CPU time of the whole process (GC and zlib threads included), in ms. */
  cpuMs: number;
  before: MemoryFigures;
  after: MemoryFigures;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Memory once garbage is collected and freed (V8 frees buffers on background threads: wait for RSS to settle). */
async function settled(): Promise<MemoryFigures> {
  let last = Infinity;
  for (let round = 0; round < 20; round++) {
    gc();
    await sleep(100);
    const { rss } = process.memoryUsage();
    if (rss > last - MiB / 4) break;
    last = rss;
  }
  const usage = process.memoryUsage();
  const mappings = residentByMapping();
  const oldSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'old_space');
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    oldSpace: oldSpace?.space_size ?? 0,
    ...mappings,
  };
}

/** RSS split by where it is mapped, from /proc/self/smaps (Linux; zeros elsewhere). */
function residentByMapping(): { brkHeap: number; anonymous: number } {
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return { brkHeap: 0, anonymous: 0 };
  }
  const totals = { brkHeap: 0, anonymous: 0 };
  let into: keyof typeof totals | undefined;
  for (const line of smaps.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) into = mapping[1] === '[heap]' ? 'brkHeap' : mapping[1] === '' ? 'anonymous' : undefined;
    else if (into && line.startsWith('Rss:')) totals[into] += Number(/(\d+)/.exec(line)![1]) * 1024;
  }
  return totals;
}

let histogram: IntervalHistogram | undefined;
let before: MemoryFigures | undefined;
let cpu: NodeJS.CpuUsage | undefined;
let windowStart = 0;
/** GC pauses (start and duration): those inside the window count, not the probe's own collections around it. */
const gcPauses: Array<{ start: number; ms: number }> = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push({ start: entry.startTime, ms: entry.duration });
}).observe({ entryTypes: ['gc'] });

process.on('message', (message: { probe?: string }) => {
  if (message.probe === 'start') {
    void settled().then((memory) => {
      before = memory;
      histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      histogram.enable();
      cpu = process.cpuUsage();
      windowStart = performance.now();
      process.send!({ probe: 'started', memory });
    });
  } else if (message.probe === 'stop' && histogram && before && cpu) {
    const used = process.cpuUsage(cpu);
    const windowEnd = performance.now();
    histogram.disable();
    const delay = { maxDelayMs: histogram.max / 1e6, p99DelayMs: histogram.percentile(99) / 1e6 };
    histogram = undefined;
    // Observer entries arrive a turn later: let them in before reading them.
    void sleep(10).then(async () => {
      const pauses = gcPauses.filter((pause) => pause.start >= windowStart && pause.start < windowEnd);
      gcPauses.length = 0;
      const gc = {
        maxGcPauseMs: Math.max(0, ...pauses.map((pause) => pause.ms)),
        gcPauseMs: pauses.reduce((sum, pause) => sum + pause.ms, 0),
      };
      const after = await settled();
      const figures: ProbeFigures = {
        ...delay,
        ...gc,
        cpuMs: (used.user + used.system) / 1000,
        before: before!,
        after,
      };
      process.send!({ probe: 'stopped', figures });
    });
  }
});
