import { GatewayError } from '@app/common';
import { UpstreamEndpoint } from './upstream-endpoint';
import type { UpstreamHttpService, UpstreamResponse } from './upstream-http.service';

/** Reading answers only: no call is made, so no HTTP service is needed. */
const endpoint = new UpstreamEndpoint(
  { id: 'up', max_sockets: 1 },
  {},
  undefined as unknown as UpstreamHttpService,
  (status) => new GatewayError('upstream_error', `status ${status}`),
);
const answer = (text: string) => ({ status: 200, text: () => Promise.resolve(text) }) as unknown as UpstreamResponse;

/** Whether other work (a setImmediate queued before) ran before `run` was done. */
async function yielded(run: () => Promise<unknown>): Promise<boolean> {
  let ran = false;
  setImmediate(() => (ran = true));
  await run();
  return ran;
}

describe('UpstreamEndpoint.json', () => {
  it('parses a long answer in slices, letting other work run, to what JSON.parse gives', async () => {
    // ~4 MB of small objects, as logprobs are.
    const logprobs = Array.from({ length: 50_000 }, (_, i) => ({ token: `t${i}`, logprob: -i / 1e3, bytes: [116] }));
    const text = JSON.stringify({ id: 'x', choices: [{ index: 0, logprobs: { content: logprobs } }] });
    let parsed: unknown;
    expect(await yielded(async () => (parsed = await endpoint.json(answer(text))))).toBe(true);
    expect(parsed).toEqual(JSON.parse(text));
  });

  it('parses a short answer at once', async () => {
    expect(await yielded(() => endpoint.json(answer('{"id":"x","choices":[]}')))).toBe(false);
  });

  it('refuses an answer nested deeper than 128 levels, or not JSON, as upstream_invalid_response', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    await expect(endpoint.json(answer(nested(128)))).resolves.toBeDefined();
    await expect(endpoint.json(answer(nested(129)))).rejects.toMatchObject({
      code: 'upstream_invalid_response',
      message: expect.stringContaining('nested deeper than 128 levels'),
    });
    await expect(endpoint.json(answer('{"id":'))).rejects.toMatchObject({
      code: 'upstream_invalid_response',
      message: expect.stringContaining('not JSON'),
    });
  });
});
