/**
 * Hands back to the system the heap that start-up grew and no longer uses, once, before the gateway listens.
 *
 * Loading ~2,300 modules and building the app allocates fast enough that V8 grows the young generation to its
 * maximum (2 × 16 MiB semi-spaces) and leaves old space fragmented (45 MiB committed for 35 MiB live). V8 keeps
 * both while the process is idle: its memory reducer acts only after a major GC that an idle gateway never
 * triggers. A memory-reducing full GC (what V8 runs on a low-memory notification) shrinks the young generation
 * to its initial size and compacts old space: 138 → 103 MB RSS after start (measured as bench/run.ts does, after
 * the admin calls that issue its key). Under load the young generation grows back to its maximum within the
 * first requests, so throughput is unaffected. The cost is start-up time, once: V8 runs two full GCs (the second
 * finds nothing more), 0.7 s together on the 2-core VM at a load average of 20.
 *
 * Node offers no other way to request that GC than the inspector protocol's `HeapProfiler.collectGarbage`
 * (an in-process session: no port is opened). A Node built without the inspector keeps its heap as it is.
 */
export async function releaseStartUpHeap(): Promise<void> {
  let inspector: typeof import('node:inspector');
  try {
    inspector = await import('node:inspector');
  } catch {
    return; // ERR_INSPECTOR_NOT_AVAILABLE
  }
  const session = new inspector.Session();
  session.connect();
  // Best effort: should the protocol refuse, the gateway starts all the same, with its heap as it was.
  await new Promise<void>((resolve) => session.post('HeapProfiler.collectGarbage', () => resolve()));
  session.disconnect();
}
