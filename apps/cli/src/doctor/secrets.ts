/**
 * How the doctor shows keys: never whole. `sy-test-AbCd…wxyz` for a long key (its kind and the first four
 * random characters, as the gateway's own masked_key), only the last four for a short one.
 */
export function maskSecret(secret: string): string {
  const head = secret.length >= 24 ? Math.min(12, Math.floor(secret.length / 3)) : 0;
  return `${secret.slice(0, head)}…${secret.slice(-4)}`;
}

/** Text from the endpoint under test, with every given secret replaced by its masked form. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(maskSecret(secret));
  return out;
}
