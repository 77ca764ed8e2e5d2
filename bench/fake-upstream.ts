import { createServer } from 'node:http';

/**
 * The benchmark's upstream: a minimal OpenAI Chat Completions server, as cheap as possible so that it is
 * never the bottleneck. `stream: true` sends `BENCH_CHUNKS` chunks back to back, or `SLOW_CHUNK_DELAY_MS`
 * apart for the model `bench-slow` (the slow streams of the memory run).
 */
const port = Number(process.env.PORT ?? 0);
const chunks = Number(process.env.BENCH_CHUNKS ?? 20);
const slowDelayMs = Number(process.env.SLOW_CHUNK_DELAY_MS ?? 200);

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
const CONTENT_CHUNK = chunk({ content: 'word ' });
const FINISH_CHUNK = chunk({}, 'stop');
const USAGE_CHUNK = `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_767_225_600, model: 'bench-model', choices: [], usage: { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks } })}\n\n`;

let served = 0;

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
    const delay = text.includes('"model":"bench-slow"') ? slowDelayMs : 0;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }));
    let sent = 0;
    const next = () => {
      if (res.destroyed) return;
      if (sent < chunks) {
        sent++;
        res.write(CONTENT_CHUNK);
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
