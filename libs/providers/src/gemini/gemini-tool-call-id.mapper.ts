/**
 * OpenAI tool calls need ids; Gemini's function calls usually have none, so the adapter makes them up:
 * `call_<response>_<choice>_<n>`, derived from the response id so that a call keeps its id however the
 * stream is cut and stream and non-stream agree. Gemini 3 also requires the call's `thoughtSignature` back
 * on the next turn; OpenAI's wire has no field for it, and the one thing every client sends back verbatim is
 * the id, so the signature rides in the id after a `__thought__` marker (the convention LiteLLM uses),
 * in base64url so the id stays within `[A-Za-z0-9_-]`.
 */
const SIGNATURE_MARKER = '__thought__';

export function toolCallId(
  responseKey: string,
  choiceIndex: number,
  callIndex: number,
  thoughtSignature?: string,
): string {
  const id = `call_${responseKey}_${choiceIndex}_${callIndex}`;
  return thoughtSignature ? `${id}${SIGNATURE_MARKER}${toBase64Url(thoughtSignature)}` : id;
}

/** The thought signature carried by an id made by `toolCallId`, as Gemini sent it. */
export function thoughtSignatureOf(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE_MARKER);
  if (at === -1) return undefined;
  const encoded = id.slice(at + SIGNATURE_MARKER.length);
  return encoded ? fromBase64Url(encoded) : undefined;
}

// A textual swap, not a decode: the signature is opaque and must come back character for character.
function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(base64url: string): string {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  return base64 + '='.repeat((4 - (base64.length % 4)) % 4);
}
