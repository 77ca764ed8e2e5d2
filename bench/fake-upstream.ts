import { createServer } from 'node:http';

/**
 * The benchmark's upstream: a minimal OpenAI Chat Completions server, as cheap as possible so that it is
 * never the bottleneck. `stream: true` sends `BENCH_CHUNKS` content chunks, the first of them carrying the
 * assistant role and the first text (so the first chunk a client can receive is content: time to first byte
 * and time to first content token are the same event at the upstream), then a finish chunk, the usage chunk
 * when asked for, and `[DONE]`. The chunks go back to back, except for two models: `bench-slow` sends them
 * `SLOW_CHUNK_DELAY_MS` apart (the slow streams of the memory run), `bench-paced` `PACED_CHUNK_DELAY_MS` apart
 * (a model's token rate: whatever holds the first content until the next chunk shows up as that delay).
 * `bench-role-first` sends OpenAI's own first chunk before the content chunks, the role with empty text, and
 * the rest back to back: the bench's upstream before 2026-12-05, kept to show what that measured.
 */
const port = Number(process.env.PORT ?? 0);
const chunks = Number(process.env.BENCH_CHUNKS ?? 20);
const slowDelayMs = Number(process.env.SLOW_CHUNK_DELAY_MS ?? 200);
const pacedDelayMs = Number(process.env.PACED_CHUNK_DELAY_MS ?? 5);

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_767_225_600,
  model: 'bench-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello from the benchmark upstream.' },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
});

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_767_225_600, model: 'bench-model', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
const ROLE_CHUNK = chunk({ role: 'assistant', content: '' });
const FIRST_CONTENT_CHUNK = chunk({ role: 'assistant', content: 'word ' });
const CONTENT_CHUNK = chunk({ content: 'word ' });
const FINISH_CHUNK = chunk({}, 'stop');
const USAGE_CHUNK = `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_767_225_600, model: 'bench-model', choices: [], usage: { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks } })}\n\n`;

let served = 0;

function delayFor(body: string): number {
  if (body.includes('"model":"bench-slow"')) return slowDelayMs;
  if (body.includes('"model":"bench-paced"')) return pacedDelayMs;
  return 0;
}

const server = createServer((req, res) => {
  if (req.url === '/stats') {
    res.end(JSON.stringify({ served }));
    return;
  }
  const body: Buffer[] = [];
  req.on('data', (b: Buffer) => body.push(b));
  req.on('end', () => {
    served++;
    const text = Buffer.concat(body).toString();
    if (!text.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(COMPLETION) });
      res.end(COMPLETION);
      return;
    }
    const delay = delayFor(text);
    const roleChunk = text.includes('"model":"bench-role-first"');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (roleChunk) res.write(ROLE_CHUNK);
    let sent = 0;
    const next = () => {
      if (res.destroyed) return;
      if (sent < chunks) {
        res.write(sent === 0 && !roleChunk ? FIRST_CONTENT_CHUNK : CONTENT_CHUNK);
        sent++;
        if (delay > 0) setTimeout(next, delay);
        else setImmediate(next);
        return;
      }
      res.write(FINISH_CHUNK);
      if (text.includes('"include_usage":true')) res.write(USAGE_CHUNK);
      res.end('data: [DONE]\n\n');
    };
    next();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : port });
});
