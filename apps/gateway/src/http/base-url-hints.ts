/** The endpoints served under the base URL, by method. */
const ENDPOINTS: Record<string, readonly string[]> = {
  '/v1/chat/completions': ['POST'],
  '/v1/embeddings': ['POST'],
  '/v1/models': ['GET'],
};

export interface RouteMiss {
  status: 404 | 405;
  code: 'not_found' | 'method_not_allowed';
  message: string;
}

/**
 * Explains a request that matched no route, recognising the classic base-URL mistakes: the site root
 * without `/v1`, `/v1` twice, or the full endpoint path pasted as the base URL.
 */
export function explainRouteMiss(method: string, url: string, origin: string): RouteMiss {
  const path = url.split('?')[0].replace(/\/+$/, '') || '/';
  const baseUrl = `${origin}/v1`;
  const knownMethods = ENDPOINTS[path] ?? (path.startsWith('/v1/models/') ? ['GET'] : undefined);
  if (knownMethods) {
    return {
      status: 405,
      code: 'method_not_allowed',
      message: `${method} is not supported on ${path}; use ${knownMethods.join(' or ')}.`,
    };
  }
  const endpoint = Object.keys(ENDPOINTS).find((known) => path.endsWith(known.slice(3)));
  const hint = (what: string) => ({
    status: 404 as const,
    code: 'not_found' as const,
    message: `${what} Set the SDK's base_url to ${baseUrl} (the SDK appends ${endpoint?.slice(3) ?? '/chat/completions'} itself).`,
  });
  if (/^(\/v1){2,}\//.test(path)) return hint(`No route for ${path}: the base URL contains /v1 twice.`);
  if (endpoint && path.indexOf(endpoint.slice(3)) !== path.lastIndexOf(endpoint.slice(3))) {
    return hint(`No route for ${path}: the base URL already contains the endpoint path.`);
  }
  if (endpoint && !path.startsWith('/v1/')) return hint(`No route for ${path}: the endpoints live directly under /v1.`);
  return {
    status: 404,
    code: 'not_found',
    message: `No route for ${method} ${path}. The OpenAI-compatible base URL is ${baseUrl}.`,
  };
}
