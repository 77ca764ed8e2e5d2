/**
 * Scrubs anything that looks like a credential from free text (upstream error messages echo keys back:
 * OpenAI's 401 says "Incorrect API key provided: sk-abc*****xyz").
 */
const SECRET_PATTERNS: RegExp[] = [
  /\bsy-(?:test|stg|prod|admin)-[A-Za-z0-9]{8,}\b/g, // our own keys (see libs/auth key-format)
  /\bsk-[A-Za-z0-9_*-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\b(?:bearer|api[-_ ]?key[:=]?)\s+[A-Za-z0-9._*-]{12,}/gi,
];

export function scrubSecrets(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[redacted]');
  return out;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
