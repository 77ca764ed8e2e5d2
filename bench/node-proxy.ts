import { Agent, createServer, request } from 'node:http';

/**
 * The floor: the least a Node reverse proxy can do (node:http, keep-alive agent, bodies piped through).
 * Whatever Switchyard adds on top of this is the cost of its features.
 */
const target = new URL(process.env.UPSTREAM_URL!);
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

const server = createServer((req, res) => {
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: `/v1${req.url!.replace(/^\/v1/, '')}`,
      headers: req.headers,
      agent,
    },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
