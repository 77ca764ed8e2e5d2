import { randomBytes } from 'node:crypto';
import { DoctorStep, fail, pass } from '../doctor-run';
import { chatBody, responseEvidence } from '../evidence';
import { openAiError } from '../probe';

/** How much of the wrong key's random part, seen anywhere in the answer, counts as echoing the key. */
const ECHO_WINDOW = 12;

/** Step 5: a wrong key gets 401 with an OpenAI-shaped error, and the error does not echo the key. */
export const badKeyStep: DoctorStep = {
  name: 'bad_key',
  async run(run) {
    const wrongKey = lookalikeKey(run.settings.key);
    const response = await run.probe.request({
      path: '/chat/completions',
      key: wrongKey,
      body: chatBody(run.settings.model),
      tag: 'bad-key',
    });
    const error = openAiError(response.json);
    const evidence = {
      ...responseEvidence(run, response, 'chat.completions (wrong key)', wrongKey),
      error_type: error?.type ?? null,
      error_code: error?.code ?? null,
      ...(response.status >= 400 ? { error: run.probe.errorText(response.text, [wrongKey]) } : {}),
    };
    if (response.status !== 401) {
      return fail(
        response.status < 400
          ? `a wrong key was served (${response.status}): keys are not checked`
          : `a wrong key got ${response.status}, not 401 (clients treat it as a different failure)`,
        evidence,
      );
    }
    if (echoes(response.text, wrongKey)) {
      return fail('the error echoes the key it was sent: error logs and screenshots would leak keys', evidence);
    }
    if (!error) return fail('the 401 body is not OpenAI-shaped {"error":{"message","type",…}}', evidence);
    return pass(
      `401 ${error.type}${typeof error.code === 'string' ? `/${error.code}` : ''}, the key is not echoed`,
      evidence,
    );
  },
};

/** A key that looks like the real one (same prefix, same length) but cannot be valid. */
function lookalikeKey(key: string): string {
  const prefix = /^([A-Za-z]+-){1,3}/.exec(key.slice(0, 12))?.[0] ?? 'sk-';
  const length = Math.max(32, key.length - prefix.length);
  return prefix + randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length);
}

/** The whole key, or any long enough piece of its random part (a masked echo such as `sk-…wxyz` is fine). */
function echoes(text: string, key: string): boolean {
  if (text.includes(key)) return true;
  const secret = key.replace(/^([A-Za-z]+-){1,3}/, '');
  for (let at = 0; at + ECHO_WINDOW <= secret.length; at++) {
    if (text.includes(secret.slice(at, at + ECHO_WINDOW))) return true;
  }
  return false;
}
