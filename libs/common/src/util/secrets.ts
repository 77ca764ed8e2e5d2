/**
 * Scrubs anything that looks like a credential from free text (upstream error messages echo keys back:
 * OpenAI's 401 says "Incorrect API key provided: sk-abc*****xyz"), and from values clients send that the
 * gateway keeps or logs (request ids, model names, `user`, tags): people paste keys into every field.
 */
const SECRET_PATTERNS: RegExp[] = [
  /\bsy-(?:test|stg|prod|admin)-[A-Za-z0-9]{8,}\b/g, // our own keys (see libs/auth key-format)
  /\bsk-[A-Za-z0-9_*-]{8,}/g, // OpenAI, Anthropic (sk-ant-), OpenRouter (sk-or-), DeepSeek
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys (Gemini)
  /\bya29\.[0-9A-Za-z_-]{20,}/g, // Google OAuth access tokens (Vertex AI)
  /\b(?:gsk|hf|r8)_[A-Za-z0-9]{20,}/g, // Groq, Hugging Face, Replicate
  /\bxai-[A-Za-z0-9]{20,}/g, // xAI
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids (Bedrock)
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g, // GitHub tokens (Copilot, Models)
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs (Azure AD bearer tokens)
  /\b(?:bearer|api[-_ ]?key[:=]?)\s+[A-Za-z0-9._*-]{12,}/gi,
];

/**
 * What every pattern above starts with, case aside. Text with none of these has nothing to scrub: most text
 * (every request's URL and model name, for its log line) is then checked in one pass instead of ten.
 */
const SECRET_PREFIX = /sy-|sk-|aiza|ya29\.|gsk_|hf_|r8_|xai-|akia|asia|gh[pousr]_|github_pat_|eyj|bearer|api/i;

export function scrubSecrets(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  if (!SECRET_PREFIX.test(out)) return out;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[redacted]');
  return out;
}

/** True when the text holds something shaped like a credential: a value to replace, not to keep. */
export function hasSecretShape(text: string): boolean {
  return scrubSecrets(text) !== text;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
