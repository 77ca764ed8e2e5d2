import { codeSpans, DocText, tableHeaded } from './docs-text';

/** A route as `METHOD /path`, each path parameter (`{id}`, `:id`) written `{}`. */
export interface DocumentedRoute {
  route: string;
  /** The table cell it was read from, for messages. */
  cell: string;
  where: string;
}

/**
 * The routes of an endpoints table (first column `Endpoint`). A cell lists code spans such as
 * `POST/GET /admin/teams`, `/admin/projects` (the methods before it), `PUT`/`DELETE /admin/{teams|projects|keys}/{id}/budget`,
 * `GET …/balance` (the path before it, last segment replaced), `GET /admin/requests[/{request_id}]` (optional part),
 * `POST /admin/keys/{id}/revoke|rotate` (alternatives); body (`{name}`) and query (`?beta=true`) spans are skipped.
 */
export function documentedRoutes(doc: DocText): DocumentedRoute[] {
  return tableHeaded(doc, 'Endpoint').rows.flatMap(([cell]) => {
    const routes: DocumentedRoute[] = [];
    let pending: string[] = [];
    let methods: string[] = [];
    let previousPath = '';
    for (const span of codeSpans(cell)) {
      if (/^[A-Z]+(\/[A-Z]+)*$/.test(span)) {
        pending.push(...span.split('/'));
        continue;
      }
      const match = /^(?:([A-Z]+(?:\/[A-Z]+)*)\s+)?([/…]\S*)/.exec(span);
      if (!match) continue;
      if (match[1]) methods = [...pending, ...match[1].split('/')];
      pending = [];
      const path = match[2].replace(/^…/, previousPath.replace(/\/[^/]*$/, '')).replace(/\?.*$/, '');
      previousPath = path;
      for (const method of methods) {
        for (const variant of pathVariants(path))
          routes.push({ route: `${method} ${variant}`, cell, where: doc.where });
      }
    }
    return routes;
  });
}

/** `[/x]` optional, `{a|b}` or `a|b` alternatives per segment, parameters as `{}`. */
function pathVariants(path: string): string[] {
  const optional = /\[([^\]]+)\]/.exec(path);
  if (optional) {
    const around = (inner: string) =>
      path.slice(0, optional.index) + inner + path.slice(optional.index + optional[0].length);
    return [...pathVariants(around('')), ...pathVariants(around(optional[1]))];
  }
  return path
    .split('/')
    .map((segment) => {
      const inBraces = /^\{(.*)\}$/.exec(segment)?.[1];
      if (inBraces !== undefined) return inBraces.includes('|') ? inBraces.split('|') : ['{}'];
      return segment.startsWith(':') ? ['{}'] : segment.split('|');
    })
    .reduce<string[]>((paths, choices) => paths.flatMap((head) => choices.map((choice) => `${head}/${choice}`)), [''])
    .map((variant) => variant.slice(1));
}

/** A mounted route (Fastify's `/v1/models/:id`) in the documented form (`GET /v1/models/{}`). */
export function normalisedRoute(method: string, url: string): string {
  return `${method} ${pathVariants(url)[0]}`;
}

/** Two routes are the same when their methods and segments agree, a parameter matching any one segment. */
function sameRoute(a: string, b: string): boolean {
  const [methodA, pathA] = a.split(' ');
  const [methodB, pathB] = b.split(' ');
  const segmentsA = pathA.split('/');
  const segmentsB = pathB.split('/');
  return (
    methodA === methodB &&
    segmentsA.length === segmentsB.length &&
    segmentsA.every((segment, index) => segment === segmentsB[index] || segment === '{}' || segmentsB[index] === '{}')
  );
}

/**
 * What the endpoint tables get wrong: a route they list that is not mounted, and a mounted `/v1` or `/admin`
 * route the reference table leaves out. `mounted` is RouteInventory's list (Fastify's own HEAD routes left out).
 */
export function routeProblems(mounted: string[], listed: DocumentedRoute[], reference: DocumentedRoute[]): string[] {
  const problems: string[] = [];
  for (const { route, cell, where } of [...listed, ...reference]) {
    if (!mounted.some((candidate) => sameRoute(candidate, route))) {
      problems.push(`${where} lists ${route} (in "${cell}") but the gateway mounts no such route: fix or remove it`);
    }
  }
  const referenceWhere = reference[0]?.where ?? 'the HTTP API reference table';
  for (const route of mounted.filter((candidate) => / \/(v1|admin)(\/|$)/.test(candidate))) {
    if (!reference.some((entry) => sameRoute(route, entry.route))) {
      problems.push(`${route} is mounted but ${referenceWhere} leaves it out: add a row`);
    }
  }
  return problems;
}
