import { DoctorRun, DoctorStep, fail, pass } from '../doctor-run';
import type { ProbeResponse } from '../probe';

/** Endpoint paths an SDK appends itself; a base URL ending in one was pasted whole. */
const ENDPOINTS = ['/chat/completions', '/completions', '/embeddings', '/responses', '/messages', '/models'];

/**
 * Step 1: the base URL has the shape SDKs expect (not the site root, no doubled `/v1`, not a whole
 * endpoint) and something answers HTTP under it.
 */
export const baseUrlStep: DoctorStep = {
  name: 'base_url',
  async run(run) {
    const given = run.settings.baseUrl;
    const shape = shapeProblem(given);
    if (shape) return fail(shape, { url: given });
    const response = await listModels(run, given, 'base-url');
    const evidence = { url: given, status: response.status, latency_ms: response.latencyMs };
    if (response.status === 404) {
      const withV1 = `${given.replace(/\/+$/, '')}/v1`;
      if (
        !/\/v\d+[a-z]*(\/|$)/.test(new URL(given).pathname) &&
        (await listModels(run, withV1, 'base-url-v1')).status !== 404
      ) {
        return fail(`this is the site root: the API lives under /v1 — use ${withV1}`, evidence);
      }
      return fail(`GET ${given}/models answered 404: no OpenAI-compatible API at this base URL`, {
        ...evidence,
        error: run.probe.errorText(response.text),
      });
    }
    return pass(`reachable: GET /models answered ${response.status} in ${response.latencyMs} ms`, evidence);
  },
};

function listModels(run: DoctorRun, baseUrl: string, tag: string): Promise<ProbeResponse> {
  return run.probe.request({ baseUrl, path: '/models', key: run.settings.key, tag });
}

function shapeProblem(given: string): string | undefined {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return `"${given}" is not a URL (expected e.g. https://gateway.example.com/v1)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${url.protocol} is not http(s)`;
  if (url.search || url.hash) return 'a base URL has no query string or fragment';
  const path = url.pathname.replace(/\/+$/, '');
  const base = (rest: string) => `${url.origin}${rest}`;
  if (/(\/v1){2,}(\/|$)/.test(path)) return `/v1 appears twice — use ${base(path.replace(/(\/v1)+/, '/v1'))}`;
  const endpoint = ENDPOINTS.find((candidate) => path.endsWith(candidate));
  if (endpoint) {
    return `a full endpoint was given as the base URL (SDKs append ${endpoint} themselves) — use ${base(path.slice(0, -endpoint.length))}`;
  }
  return undefined;
}
