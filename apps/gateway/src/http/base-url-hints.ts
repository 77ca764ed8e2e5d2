import type { RouteInventory } from './route-inventory';

export interface RouteMiss {
  status: 404 | 405;
  code: 'not_found' | 'method_not_allowed';
  message: string;
}

/**
 * Anthropic's clients (the SDK, Claude Code) append `/v1/messages` to a base URL that is the site root;
 * OpenAI's append the path after `/v1` to a base URL that ends in `/v1`.
 */
const SITE_ROOT_ENDPOINTS = /^\/v1\/messages(\/|$)/;

/**
 * Explains a request that matched no route: a wrong method on a real path, or one of the classic base-URL
 * mistakes — the site root without `/v1`, `/v1` twice, or the full endpoint path pasted as the base URL.
 */
export function explainRouteMiss(method: string, url: string, origin: string, routes: RouteInventory): RouteMiss {
  const path = url.split('?')[0].replace(/\/+$/, '') || '/';
  const methods = routes.methodsFor(path);
  if (methods.length > 0) {
    const named = methods.includes('GET') ? methods.filter((known) => known !== 'HEAD') : methods;
    return {
      status: 405,
      code: 'method_not_allowed',
      message: `${method} is not supported on ${path}; use ${named.join(' or ')}.`,
    };
  }
  const endpoints = routes.routes
    .map((route) => route.url)
    .filter((known) => known.startsWith('/v1/') && !known.includes(':'));
  // The longest match: `/v1/messages/count_tokens` rather than `/v1/messages`.
  const endpoint = endpoints.filter((known) => path.endsWith(known.slice(3))).sort((a, b) => b.length - a.length)[0];
  const hint = (what: string) => ({
    status: 404 as const,
    code: 'not_found' as const,
    message: `${what} ${advice(endpoint, origin)}`,
  });
  if (/^(\/v1){2,}\//.test(path)) return hint(`No route for ${path}: the base URL contains /v1 twice.`);
  if (endpoint) {
    const tail = endpoint.slice(3);
    if (path.indexOf(tail) !== path.lastIndexOf(tail))
      return hint(`No route for ${path}: the base URL already contains the endpoint path.`);
    if (!path.startsWith('/v1/')) return hint(`No route for ${path}: the endpoints live directly under /v1.`);
  }
  return {
    status: 404,
    code: 'not_found',
    message: `No route for ${method} ${path}. The OpenAI-compatible base URL is ${origin}/v1.`,
  };
}

function advice(endpoint: string | undefined, origin: string): string {
  if (endpoint && SITE_ROOT_ENDPOINTS.test(endpoint)) {
    return `Set the Anthropic SDK's base URL (ANTHROPIC_BASE_URL) to ${origin} (the SDK appends ${endpoint} itself).`;
  }
  return `Set the SDK's base_url to ${origin}/v1 (the SDK appends ${endpoint?.slice(3) ?? '/chat/completions'} itself).`;
}
