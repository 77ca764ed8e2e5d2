/** How an actor id of the audit logs (and of GET /admin/whoami) reads to a person. */
export function actorLabel(actor: string, tokenNames: ReadonlyMap<string, string> = new Map()): string {
  if (actor === 'env:SWITCHYARD_ADMIN_KEY') return 'Admin key (environment)';
  if (actor.startsWith('system:')) return `System (${actor.slice('system:'.length)})`;
  return tokenNames.get(actor) ?? actor;
}
