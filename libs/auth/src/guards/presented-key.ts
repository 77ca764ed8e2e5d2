/** The key a client presented: `Authorization: Bearer`, `x-api-key` (Anthropic SDK) or `api-key` (Azure SDK). */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  for (const name of ['x-api-key', 'api-key']) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

/** Our key layout's displayed prefix (`sy-prod-AbCd`), as stored and masked: the kind and four random characters. */
const SWITCHYARD_PREFIX = /^sy-(?:test|stg|prod|admin)-[0-9A-Za-z]{4}/;

/**
 * What may be kept of a presented key, e.g. to count failed attempts: the prefix our keys are shown with,
 * `other` for anything not shaped like our keys (nothing of it is kept), null when no key was sent.
 */
export function presentedKeyPrefix(headers: Record<string, string | string[] | undefined>): string | null {
  const key = presentedKey(headers);
  if (key === undefined) return null;
  return SWITCHYARD_PREFIX.exec(key)?.[0] ?? 'other';
}
