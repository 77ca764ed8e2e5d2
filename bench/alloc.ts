import autocannon from 'autocannon';
import { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AgentCommand, AgentReply } from './alloc-agent';
import { ADMIN_KEY, catalogFile, createDatabase, issueKey } from './gateway-setup';
import { CHAT_BODY } from './load';
import { BenchProcess, startGateway, startPinned } from './processes';

/**
 * `npm run bench:alloc`: what one `/v1/chat/completions` request costs the gateway in memory and where its CPU
 * goes, by measures that do not depend on how loaded the machine is (unlike `npm run bench`):
 *   - bytes allocated per request (the `allocated` fields of V8's `--trace-gc-nvp` lines over the window),
 *     and what survives a scavenge (semi-space survivors and promotions per request);
 *   - the share of CPU by package and by function (a CPU profile of another window; proportions hold under
 *     load);
 *   - the top allocation sites (a sampling heap profile that counts objects that died young).
 * Every feature is on, as in `npm run bench`: key auth, two rate-limit windows (Redis when REDIS_URL is set),
 * budgets at three levels, pricing, evidence records, metrics and the request log.
 * ALLOC_REQUESTS (default 20,000) per window; ALLOC_OUT_DIR keeps the profiles (for DevTools) and summary.json.
 */
const REQUESTS = Number(process.env.ALLOC_REQUESTS ?? 20_000);
const WARM_UP = Math.min(5_000, REQUESTS);
const CONNECTIONS = 16;
const TOP = 25;
/** Nothing here depends on timing: every process may run on every core. */
const ANY_CORE = `0-${cpus().length - 1}`;

async function main(): Promise<void> {
  const outDir = resolve(process.env.ALLOC_OUT_DIR ?? mkdtempSync(join(tmpdir(), 'switchyard-alloc-')));
  mkdirSync(outDir, { recursive: true });
  const database = await createDatabase();
  const processes: BenchProcess[] = [];
  const stdoutFile = join(outDir, 'gateway-stdout.log');
  const stdout = openSync(stdoutFile, 'w');
  try {
    const upstream = await startPinned('dist/bench/fake-upstream.js', ANY_CORE, {});
    processes.push(upstream);
    if (!process.env.REDIS_URL) console.warn('REDIS_URL is not set: rate limits are counted in-process, not on Redis');
    const gateway = await startGateway(
      ANY_CORE,
      {
        DATABASE_URL: database.url,
        SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
        SWITCHYARD_CONFIG: catalogFile(`http://127.0.0.1:${upstream.port}`),
        LOG_LEVEL: 'info',
        ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      },
      { execArgv: ['--trace-gc-nvp', '--require', resolve('dist/bench/alloc-agent.js')], stdout },
    );
    processes.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${gateway.port}`;
    const key = await issueKey(gatewayUrl);
    const send = (count: number) => load(gatewayUrl, key, count);
    const agent = (command: AgentCommand) => ask(gateway.child, command);

    await send(WARM_UP); // JIT, pools, key cache, budget leases
    const from = (await agent({ allocAgent: 'mark' })).traceMs!;
    await send(REQUESTS);
    const to = (await agent({ allocAgent: 'mark' })).traceMs!;

    await agent({ allocAgent: 'startCpu' });
    await send(REQUESTS);
    await agent({ allocAgent: 'stop', file: join(outDir, 'gateway.cpuprofile') });

    await agent({ allocAgent: 'startHeap' });
    await send(REQUESTS);
    await agent({ allocAgent: 'stop', file: join(outDir, 'gateway.heapprofile') });

    await gateway.stop(); // flushes the GC trace
    const gc = gcWindow(readFileSync(stdoutFile, 'utf8'), from, to);
    const cpu = cpuShares(JSON.parse(readFileSync(join(outDir, 'gateway.cpuprofile'), 'utf8')) as CpuProfile);
    const heap = heapSites(JSON.parse(readFileSync(join(outDir, 'gateway.heapprofile'), 'utf8')) as HeapProfile);
    const summary = report(gc, cpu, heap);
    writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2));
    console.log(`\nProfiles and summary.json in ${outDir}`);
  } finally {
    closeSync(stdout);
    await Promise.all(processes.map((p) => p.stop()));
    await database.drop();
  }
}

/** `count` chat completions over 16 keep-alive connections; fails on any error or non-2xx. */
async function load(url: string, key: string, count: number): Promise<void> {
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: CHAT_BODY,
    connections: CONNECTIONS,
    amount: count,
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0)
    throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
}

function ask(child: ChildProcess, command: AgentCommand): Promise<AgentReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: AgentReply) => {
      if (reply?.allocAgent !== command.allocAgent) return;
      child.off('message', onMessage);
      if (reply.error) reject(new Error(`alloc agent: ${reply.error}`));
      else resolve(reply);
    };
    child.on('message', onMessage);
    child.send(command);
  });
}

interface GcWindow {
  allocatedBytes: number;
  survivedBytes: number;
  promotedBytes: number;
  scavenges: number;
  majorGcs: number;
  scavengePauseMs: number[];
}

/** Sums the `--trace-gc-nvp` lines whose time falls in [from, to] (ms on the isolate's clock). */
function gcWindow(stdout: string, from: number, to: number): GcWindow {
  const window: GcWindow = {
    allocatedBytes: 0,
    survivedBytes: 0,
    promotedBytes: 0,
    scavenges: 0,
    majorGcs: 0,
    scavengePauseMs: [],
  };
  for (const line of stdout.split('\n')) {
    const head = /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: pause=/.exec(line);
    if (!head) continue; // a log line
    const at = Number(head[1]);
    if (at < from || at > to) continue;
    const field = (name: string) => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
    window.allocatedBytes += field('allocated');
    window.promotedBytes += field('promoted');
    if (/ gc=s /.test(line)) {
      window.scavenges++;
      window.survivedBytes += field('new_space_survived');
      window.scavengePauseMs.push(field('pause'));
    } else window.majorGcs++;
  }
  return window;
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; hitCount?: number }>;
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
}

/** Where a frame's code lives: a package, one of our libs or the app, a Node module, or V8 itself. */
function owner(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /dist\/(libs\/[^/]+|apps\/[^/]+)/.exec(url);
  if (ours) return ours[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

const site = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*?(node_modules\/|dist\/)/, '')}:${frame.lineNumber + 1}`;
const isOurs = (frame: CallFrame) => /dist\/(libs|apps)\//.test(frame.url);

interface Shares {
  total: number;
  byOwner: Map<string, number>;
  bySite: Map<string, number>;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** Self samples by owner and by function, idle excluded. */
function cpuShares(profile: CpuProfile): Shares {
  const shares: Shares = { total: 0, byOwner: new Map(), bySite: new Map() };
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits || node.callFrame.functionName === '(idle)') continue;
    shares.total += hits;
    add(shares.byOwner, owner(node.callFrame), hits);
    add(shares.bySite, site(node.callFrame), hits);
  }
  return shares;
}

/**
 * Sampled bytes by owner and by allocating function, plus by the nearest of our own functions on the stack
 * (a prom-client or pino allocation is charged to the line of ours that called it: that is what one changes).
 */
function heapSites(profile: HeapProfile): Shares & { byOurCaller: Map<string, number> } {
  const shares = {
    total: 0,
    byOwner: new Map<string, number>(),
    bySite: new Map<string, number>(),
    byOurCaller: new Map<string, number>(),
  };
  const walk = (node: HeapNode, ourCaller: string) => {
    const caller = isOurs(node.callFrame) ? site(node.callFrame) : ourCaller;
    if (node.selfSize > 0) {
      shares.total += node.selfSize;
      add(shares.byOwner, owner(node.callFrame), node.selfSize);
      add(shares.bySite, site(node.callFrame), node.selfSize);
      add(shares.byOurCaller, caller, node.selfSize);
    }
    for (const child of node.children) walk(child, caller);
  };
  walk(profile.head, '(no frame of ours)');
  return shares;
}

function report(gc: GcWindow, cpu: Shares, heap: ReturnType<typeof heapSites>): object {
  const perRequest = (bytes: number) => bytes / REQUESTS;
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  const pauses = [...gc.scavengePauseMs].sort((a, b) => a - b);
  const allocated = perRequest(gc.allocatedBytes);
  console.log(`## Allocation, ${REQUESTS} requests (every feature on)\n`);
  console.log(`| measure | value |\n|---|---|`);
  console.log(`| allocated per request | ${kb(allocated)} KB |`);
  console.log(`| survived a scavenge, per request | ${kb(perRequest(gc.survivedBytes))} KB |`);
  console.log(`| promoted to old space, per request | ${kb(perRequest(gc.promotedBytes))} KB |`);
  console.log(`| scavenges / major GCs in the window | ${gc.scavenges} / ${gc.majorGcs} |`);
  console.log(`| requests per scavenge | ${(REQUESTS / Math.max(1, gc.scavenges)).toFixed(0)} |`);
  console.log(`| scavenge pause p50 (load-dependent) | ${pauses[Math.floor(pauses.length / 2)] ?? 0} ms |`);

  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  const table = (title: string, map: Map<string, number>, total: number) => {
    console.log(`\n## ${title}\n\n| share | where |\n|---|---|`);
    for (const [name, value] of top(map)) console.log(`| ${pct(value / total)} | ${name} |`);
  };
  // The heap profile samples; its shares are applied to the bytes the GC trace counted.
  const bytesTable = (title: string, map: Map<string, number>) => {
    console.log(`\n## ${title}\n\n| share | bytes/request | where |\n|---|---|---|`);
    for (const [name, value] of top(map))
      console.log(`| ${pct(value / heap.total)} | ${((value / heap.total) * allocated).toFixed(0)} | ${name} |`);
  };
  table('CPU self time by package', cpu.byOwner, cpu.total);
  table('CPU self time by function', cpu.bySite, cpu.total);
  bytesTable('Allocation by package (allocating function)', heap.byOwner);
  bytesTable('Allocation by function', heap.bySite);
  bytesTable('Allocation by the nearest function of ours on the stack', heap.byOurCaller);
  const entries = (map: Map<string, number>, total: number) =>
    top(map).map(([name, value]) => ({ name, share: value / total }));
  return {
    requests: REQUESTS,
    allocatedBytesPerRequest: allocated,
    survivedBytesPerRequest: perRequest(gc.survivedBytes),
    promotedBytesPerRequest: perRequest(gc.promotedBytes),
    scavenges: gc.scavenges,
    majorGcs: gc.majorGcs,
    cpuByPackage: entries(cpu.byOwner, cpu.total),
    cpuByFunction: entries(cpu.bySite, cpu.total),
    allocationByPackage: entries(heap.byOwner, heap.total),
    allocationByFunction: entries(heap.bySite, heap.total),
    allocationByOurCaller: entries(heap.byOurCaller, heap.total),
  };
}

const top = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP);

main().catch((error: unknown) => {
  console.error(`bench:alloc failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
