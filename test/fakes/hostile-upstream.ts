import { ChildProcess, fork } from 'node:child_process';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Hostile OpenAI-wire upstreams, run in a process of their own (`startHostileUpstream`), so that what they
 * spend producing their bodies (64 MiB of writes, gzip bombs) never lands in the event loop of the gateway
 * being measured. The path's first segment picks the behaviour, so one catalog can point a model at each:
 *
 *   /endless-line/v1/chat/completions   a content event, then `data: ` and 64 MiB without a newline
 *   /gzip-stream/v1/chat/completions    gzip: a content event, then 1 MiB members of SSE comment lines, 64 GiB inflated
 *   /gzip-answer/v1/chat/completions    gzip: 1 MiB members of spaces, 64 GiB inflated (a non-stream answer)
 *   /normal/v1/chat/completions         an ordinary answer, streamed or not (warm-up traffic)
 *   GET /stats                          `{ sent, aborted }` of the last hostile body: bytes handed to the
 *                                       socket, and whether the gateway hung up before the end
 *
 * Bodies are written with back-pressure, so `sent` is what the gateway read plus what socket buffers took.
 */

const MiB = 1024 * 1024;
/** Members of a gzip bomb, each 1 MiB inflated and ~1–3 KiB on the wire: far more than socket buffers hold. */
export const BOMB_MEMBERS = 64 * 1024;

export interface HostileStats {
  sent: number;
  aborted: boolean;
}

export const chunkJson = (content: string, finish: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-hostile',
    object: 'chat.completion.chunk',
    created: 1_767_225_600,
    model: 'gpt-test',
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: finish }],
  });

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-hostile',
  object: 'chat.completion',
  created: 1_767_225_600,
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
});

function gzipMember(filler: string): Buffer {
  return gzipSync(filler.repeat(Math.ceil(MiB / filler.length)).slice(0, MiB));
}

function* endlessLine(): Generator<Buffer> {
  yield Buffer.from(`data: ${chunkJson('Hel')}\n\ndata: `);
  const piece = Buffer.alloc(64 * 1024, 'a');
  for (let sent = 0; sent < 64 * MiB; sent += piece.length) yield piece;
}

function* gzipBomb(member: Buffer, first?: Buffer): Generator<Buffer> {
  if (first) yield first;
  for (let members = 0; members < BOMB_MEMBERS; members++) yield member;
}

/** The server, in the child process. */
function serve(): void {
  const spaces = gzipMember(' ');
  const comments = gzipMember(`: ${'z'.repeat(1021)}\n`);
  const firstEvent = gzipSync(`data: ${chunkJson('Hel')}\n\n`);
  let last: HostileStats = { sent: 0, aborted: false };

  const bodies: Record<string, () => { headers: Record<string, string>; chunks: Iterable<Buffer> }> = {
    'endless-line': () => ({ headers: { 'content-type': 'text/event-stream' }, chunks: endlessLine() }),
    'gzip-stream': () => ({
      headers: { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' },
      chunks: gzipBomb(comments, firstEvent),
    }),
    'gzip-answer': () => ({
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      chunks: gzipBomb(spaces),
    }),
  };

  const server = createServer((req, res) => {
    if (req.url === '/stats') {
      res.end(JSON.stringify(last));
      return;
    }
    void readBody(req).then((body) => {
      const behaviour = req.url?.split('/')[1] ?? '';
      const hostile = bodies[behaviour];
      if (!hostile) return normal(body, res);
      const { headers, chunks } = hostile();
      last = { sent: 0, aborted: false };
      res.writeHead(200, headers);
      return writeWithBackPressure(res, chunks, last);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.send!({ port });
  });
  // Ends with the test or bench that started it, however that ends.
  process.on('disconnect', () => process.exit(0));
}

function readBody(req: IncomingMessage): Promise<{ stream?: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}') as { stream?: boolean }));
  });
}

function normal(body: { stream?: boolean }, res: ServerResponse): void {
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(COMPLETION);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const word of ['Hel', 'lo', '.']) res.write(`data: ${chunkJson(word)}\n\n`);
  res.end(`data: ${chunkJson('', 'stop')}\n\ndata: [DONE]\n\n`);
}

/** Writes until the body ends or the gateway hangs up, waiting whenever the socket's buffer is full. */
async function writeWithBackPressure(res: ServerResponse, chunks: Iterable<Buffer>, stats: HostileStats) {
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  for (const chunk of chunks) {
    if (res.destroyed) break;
    stats.sent += chunk.length;
    if (!res.write(chunk)) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), closed]);
  }
  if (!res.destroyed) res.end();
  await closed;
  stats.aborted = !res.writableFinished;
}

export interface HostileUpstream {
  /** The upstream's origin; a provider's `base_url` is `${url}/<behaviour>/v1`. */
  url: string;
  /** The last hostile body's figures. */
  stats(): Promise<HostileStats>;
  stop(): Promise<void>;
}

/** Starts the hostile upstream in a child process (TypeScript run through the tests' SWC hook). */
export async function startHostileUpstream(): Promise<HostileUpstream> {
  const child: ChildProcess = fork(__filename, [], {
    execArgv: ['--require', join(__dirname, '..', 'utils', 'swc-register.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`the hostile upstream exited with ${code} before listening`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    stats: async () => (await (await fetch(`${url}/stats`)).json()) as HostileStats,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (require.main === module) serve();
