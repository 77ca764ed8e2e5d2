import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';

/**
 * Loaded into the gateway with `--require` by `bench/alloc.ts`; answers its commands over the fork's IPC
 * channel. It opens an inspector session on the gateway's own isolate, so that a CPU profile or a sampling
 * heap profile covers exactly a measured window of requests (not start-up), and reports the time of a mark
 * on the clock of V8's `--trace-gc-nvp` lines (milliseconds since the isolate started).
 */
export type AgentCommand =
  | { allocAgent: 'mark' }
  | { allocAgent: 'startCpu' }
  | { allocAgent: 'startHeap' }
  | { allocAgent: 'stop'; file: string };

export interface AgentReply {
  allocAgent: AgentCommand['allocAgent'];
  /** For `mark`: the moment on the GC trace's clock. */
  traceMs?: number;
  error?: string;
}

/** One sample per 8 KiB allocated: enough resolution for ~50 KB requests, little overhead. */
const HEAP_SAMPLING_INTERVAL = 8_192;

const session = new Session();
session.connect();
let running: 'Profiler' | 'HeapProfiler' | undefined;

function post(method: string, params?: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as never))),
  );
}

async function run(command: AgentCommand): Promise<AgentReply> {
  switch (command.allocAgent) {
    case 'mark':
      // V8 starts the isolate's clock about when Node initialises V8; close enough for windows of seconds.
      return { allocAgent: 'mark', traceMs: performance.now() - performance.nodeTiming.v8Start };
    case 'startCpu':
      await post('Profiler.enable');
      await post('Profiler.start');
      running = 'Profiler';
      return { allocAgent: 'startCpu' };
    case 'startHeap':
      await post('HeapProfiler.enable');
      // Counting objects that die young too: a request's garbage is what this measures.
      await post('HeapProfiler.startSampling', {
        samplingInterval: HEAP_SAMPLING_INTERVAL,
        includeObjectsCollectedByMinorGC: true,
        includeObjectsCollectedByMajorGC: true,
      });
      running = 'HeapProfiler';
      return { allocAgent: 'startHeap' };
    case 'stop': {
      if (!running) throw new Error('no profile running');
      const result = await post(running === 'Profiler' ? 'Profiler.stop' : 'HeapProfiler.stopSampling');
      running = undefined;
      writeFileSync(command.file, JSON.stringify(result.profile));
      return { allocAgent: 'stop' };
    }
  }
}

process.on('message', (message: AgentCommand) => {
  if (!message || typeof message !== 'object' || !('allocAgent' in message)) return;
  run(message).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ allocAgent: message.allocAgent, error: String(error) }),
  );
});
// Listening for messages must not keep the gateway alive when it is told to stop.
process.channel?.unref();
