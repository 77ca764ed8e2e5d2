import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, before the app's modules load. Turns off V8's allocation-site pretenuring.
 *
 * Under saturation many requests are in flight at once, so their objects survive young-generation GCs;
 * V8 takes that as a sign that those allocation sites make long-lived objects and from then on allocates them
 * straight in old space. When the load falls back (500 req/s after a saturating phase, in `npm run bench`),
 * every request's objects (its response headers, the upstream call, the route walk) keep landing in old space
 * although they die within a millisecond: about 2 MB per scavenge, old space growing ~7 MB/s into a major GC
 * every 15–20 s, scavenges of 6–7.5 ms. Without pretenuring, at the same rate: 0.3 MB per scavenge, scavenges
 * of 1.7–2.2 ms, no major GC in the steady window, p99 31.8 → 3.6 ms (docs/performance.md). Nothing the
 * gateway keeps is long-lived enough to gain from pretenuring: caches are built once, and batches live ≤ 1 s.
 *
 * Set here rather than on the command line so that every way of starting the gateway (npm start, the Docker
 * image, the manifests, tests, the bench) runs with it; V8 reads the flag at each GC, so setting it at run time
 * takes effect (measured).
 */
setFlagsFromString('--no-allocation-site-pretenuring');
