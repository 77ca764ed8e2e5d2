import { estimateInputTokens, loadTokenCounter } from './count-tokens';
import claudeCodeTurn from './fixtures/claude-code-turn.json';
import { parseCountTokensRequest } from './messages-request';

const count = (body: Record<string, unknown>) =>
  estimateInputTokens(parseCountTokensRequest({ model: 'gpt-5-mini', ...body }));
const hello = [{ role: 'user', content: 'Hello, world' }];

describe('estimateInputTokens', () => {
  beforeAll(loadTokenCounter);

  it('counts text with o200k_base plus the per-request and per-message framing', () => {
    // "Hello, world" is 3 o200k tokens; 3 for the request, 3 for the message.
    expect(count({ messages: hello })).toBe(9);
  });

  it('counts system text, as a string or as blocks', () => {
    expect(count({ system: 'Hello, world', messages: hello })).toBe(12);
    expect(
      count({
        system: [{ type: 'text', text: 'Hello, world', cache_control: { type: 'ephemeral' } }],
        messages: hello,
      }),
    ).toBe(12);
  });

  it('counts tool calls by name and input JSON, and tool results by their content', () => {
    const messages = [
      ...hello,
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '4C, light rain' }] }],
      },
    ];
    // + 3 + (2 + 6) for the call, + 3 + 5 for the result.
    expect(count({ messages })).toBe(9 + 11 + 8);
  });

  it('adds the tool-use instructions once and each tool’s name, description and schema', () => {
    const tool = { name: 'get_weather', description: 'Hello, world', input_schema: { type: 'object' } };
    const withOne = count({ messages: hello, tools: [tool] });
    const withTwo = count({ messages: hello, tools: [tool, { ...tool, name: 'get_weather_2' }] });
    expect(withOne).toBeGreaterThan(9 + 346);
    // The second tool adds its own few tokens; the 346 of instructions are not repeated.
    expect(withTwo - withOne).toBeGreaterThan(withOne - 9 - 346);
    expect(withTwo - withOne).toBeLessThan(346);
  });

  it('counts an image as a fixed 1,600 and a PDF as a fixed 1,500, whatever their size', () => {
    const image = (data: string) => [
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }] },
    ];
    expect(count({ messages: image('A'.repeat(10)) })).toBe(6 + 1_600);
    expect(count({ messages: image('A'.repeat(100_000)) })).toBe(6 + 1_600);
    const pdf = [
      {
        role: 'user',
        content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }],
      },
    ];
    expect(count({ messages: pdf })).toBe(6 + 1_500);
  });

  it('counts text that looks like a special token as plain text instead of failing', () => {
    expect(count({ messages: [{ role: 'user', content: 'Explain <|endoftext|> and <|im_start|>.' }] })).toBeGreaterThan(
      6,
    );
  });

  it('gives a long Claude Code turn a count in proportion to its text', () => {
    const request = parseCountTokensRequest(structuredClone(claudeCodeTurn));
    const tokens = estimateInputTokens(request);
    const characters = JSON.stringify({
      system: request.system,
      messages: request.messages,
      tools: request.tools,
    }).length;
    // English prose and code run at roughly 3–5 characters per token; JSON punctuation makes it denser.
    expect(tokens).toBeGreaterThan(characters / 6);
    expect(tokens).toBeLessThan(characters / 2);
  });
});
