import { GatewayError } from '@app/common';
import { parseChatRequest } from './chat-request';

const conversation = (length: number) =>
  Array.from({ length }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i}` }));

/** Whether other work (a setImmediate queued before the call) ran before the check was done. */
async function yielded(run: () => Promise<unknown>): Promise<boolean> {
  let ran = false;
  setImmediate(() => (ran = true));
  await run().catch(() => undefined);
  return ran;
}

describe('parseChatRequest', () => {
  it('checks a conversation of up to 1,000 messages at once and returns the body', async () => {
    const body = { model: 'm', messages: conversation(1_000) };
    let parsed: unknown;
    expect(await yielded(async () => (parsed = await parseChatRequest(body)))).toBe(false);
    expect(parsed).toBe(body);
  });

  it('checks a longer one 1,000 messages at a time, letting other work run', async () => {
    const body = { model: 'm', messages: conversation(2_500) };
    let parsed: unknown;
    expect(await yielded(async () => (parsed = await parseChatRequest(body)))).toBe(true);
    expect(parsed).toBe(body);
  });

  it.each([3, 2_500])('names a bad role wherever it is, in a conversation of %i messages', async (length) => {
    const messages: unknown[] = conversation(length);
    messages[length - 2] = { role: 'robot', content: 'x' };
    const error = (await parseChatRequest({ model: 'm', messages }).catch((e: unknown) => e)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.options.param).toBe(`messages[${length - 2}].role`);
  });
});
