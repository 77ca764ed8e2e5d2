import { ChatCompletionRequest, ChatMessage, GatewayError } from '@app/common';
import claudeCodeTurn from './fixtures/claude-code-turn.json';
import { parseMessagesRequest } from './messages-request';
import { messagesToChat, messagesToChatInTurns } from './messages-to-chat';
import type { MessagesRequest } from './messages.types';

/** The fixture's blocks, loosely typed (JSON imports type every block as the union of all of them). */
const fixtureBlock = (message: number, block: number) =>
  claudeCodeTurn.messages[message].content[block] as { text?: string; content?: unknown };

const request = (overrides: Record<string, unknown>): MessagesRequest =>
  parseMessagesRequest({
    model: 'claude-sonnet-4-5',
    max_tokens: 512,
    messages: [{ role: 'user', content: 'Hi' }],
    ...overrides,
  });

/**
 * What OpenAI enforces on a conversation (its 400s): every assistant tool call answered by a tool message
 * directly after it, tool messages only there, an assistant message with content or tool calls.
 */
function expectValidChat(chat: ChatCompletionRequest): void {
  const messages = chat.messages;
  messages.forEach((message, i) => {
    expect(['system', 'user', 'assistant', 'tool']).toContain(message.role);
    if (message.role === 'assistant')
      expect(message.content !== null || (message.tool_calls?.length ?? 0) > 0).toBe(true);
    if (message.role !== 'assistant' || !message.tool_calls) return;
    const answers = new Set<string>();
    for (let j = i + 1; j < messages.length && messages[j].role === 'tool'; j++)
      answers.add(messages[j].tool_call_id as string);
    expect([...answers].sort()).toEqual(message.tool_calls.map((call) => call.id).sort());
    for (const call of message.tool_calls) expect(() => JSON.parse(call.function.arguments)).not.toThrow();
  });
  messages.forEach((message, i) => {
    if (message.role === 'tool') expect(['assistant', 'tool']).toContain(messages[i - 1].role);
  });
  const names = new Set((chat.tools ?? []).map((tool) => tool.function.name));
  expect(names.size).toBe(chat.tools?.length ?? 0);
}

describe('messagesToChat', () => {
  it('translates a long Claude Code turn into a valid chat request, naming what it drops', () => {
    const source = parseMessagesRequest(structuredClone(claudeCodeTurn));
    const { chat, dropped } = messagesToChat(source);

    expectValidChat(chat);
    expect(dropped.sort()).toEqual(['cache_control', 'redacted_thinking blocks', 'thinking', 'thinking blocks']);
    expect(chat).toMatchObject({
      model: 'claude-opus-4-8[1m]',
      max_tokens: 32000,
      temperature: 1,
      user: claudeCodeTurn.metadata.user_id,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(chat.tools).toHaveLength(claudeCodeTurn.tools.length);
    expect(chat.tools?.[4]).toEqual({
      type: 'function',
      function: {
        name: 'Read',
        description: 'Reads a file from the local filesystem.',
        parameters: claudeCodeTurn.tools[4].input_schema,
      },
    });
    expect(chat.tool_choice).toBeUndefined();

    const [system, ...rest] = chat.messages;
    expect(system).toEqual({
      role: 'system',
      content: `${claudeCodeTurn.system[0].text}\n\n${claudeCodeTurn.system[1].text}`,
    });
    expect(rest.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'tool',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'user',
    ]);
    expect(rest[0].content).toBe(
      `${fixtureBlock(0, 0).text}\n\nThe cart total ignores quantities. Fix it and run the tests.`,
    );
    expect(rest[1]).toEqual({
      role: 'assistant',
      content: 'Let me look at the cart code and its tests.',
      tool_calls: [
        {
          id: 'toolu_01Read',
          type: 'function',
          function: { name: 'Read', arguments: '{"file_path":"/home/dev/shop/src/cart.ts"}' },
        },
        {
          id: 'toolu_02Grep',
          type: 'function',
          function: {
            name: 'Grep',
            arguments: JSON.stringify({
              pattern: 'total\\(',
              path: '/home/dev/shop/src',
              output_mode: 'files_with_matches',
            }),
          },
        },
      ],
    });
    expect(rest[2]).toEqual({
      role: 'tool',
      tool_call_id: 'toolu_01Read',
      content: (fixtureBlock(2, 0).content as Array<{ text: string }>)[0].text,
    });
    expect(rest[3]).toEqual({ role: 'tool', tool_call_id: 'toolu_02Grep', content: fixtureBlock(2, 1).content });
    expect(rest[4]).toMatchObject({ role: 'assistant', content: null, tool_calls: [{ id: 'toolu_03Edit' }] });
    expect(rest[7]).toEqual({
      role: 'tool',
      tool_call_id: 'toolu_04Bash',
      content: `Error: ${fixtureBlock(6, 0).content as string}`,
    });
    expect(rest[8]).toEqual({ role: 'user', content: 'Items without a quantity should count once.' });
  });

  it('sends a string system as it is and leaves an empty one out', () => {
    expect(messagesToChat(request({ system: 'Be brief.' })).chat.messages[0]).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    expect(messagesToChat(request({ system: '' })).chat.messages.map((m) => m.role)).toEqual(['user']);
  });

  it('keeps a system turn found inside messages where it is', () => {
    const { chat } = messagesToChat(
      request({
        messages: [
          { role: 'user', content: 'a' },
          { role: 'system', content: 'Now be formal.' },
          { role: 'user', content: 'b' },
        ],
      }),
    );
    expect(chat.messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'system', content: 'Now be formal.' },
      { role: 'user', content: 'b' },
    ]);
  });

  it('turns base64 and URL images into image_url parts and names file sources', () => {
    const { chat, dropped } = messagesToChat(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare these.' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/b.jpg' } },
              { type: 'image', source: { type: 'file', file_id: 'file_011' } },
            ],
          },
        ],
      }),
    );
    expect(chat.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/b.jpg' } },
        ],
      },
    ]);
    expect(dropped).toEqual(['image blocks (file source)']);
  });

  it('keeps plain-text documents as titled text and names the others', () => {
    const { chat, dropped } = messagesToChat(
      request({
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                title: 'notes.txt',
                source: { type: 'text', media_type: 'text/plain', data: 'Buy milk.' },
              },
              { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'Chunk one.' }] } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
              { type: 'text', text: 'Summarise.' },
            ],
          },
        ],
      }),
    );
    expect(chat.messages).toEqual([{ role: 'user', content: 'notes.txt\n\nBuy milk.\n\nChunk one.\n\nSummarise.' }]);
    expect(dropped).toEqual(['document blocks (base64 source)']);
  });

  it('puts tool results first even when the turn lists text before them, and carries their images in the next user message', () => {
    const { chat } = messagesToChat(
      request({
        messages: [
          { role: 'user', content: 'Show me the screenshot.' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_shot', name: 'Read', input: { file_path: 'shot.png' } }],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Here it is.' },
              {
                type: 'tool_result',
                tool_use_id: 'toolu_shot',
                content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }],
              },
            ],
          },
        ],
      }),
    );
    expectValidChat(chat);
    expect(chat.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_shot', content: '(an image, attached to the next user message)' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Tool call toolu_shot returned this image:' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'text', text: 'Here it is.' },
        ],
      },
    ]);
  });

  it('sends an empty or missing tool result as empty text, and names blocks chat cannot carry', () => {
    const { chat, dropped } = messagesToChat(
      request({
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: [
              { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
              { type: 'tool_use', id: 't1', name: 'A', input: {} },
              { type: 'tool_use', id: 't2', name: 'B', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1' },
              { type: 'tool_result', tool_use_id: 't2', content: [] },
            ],
          },
        ],
      }),
    );
    expectValidChat(chat);
    expect(chat.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 't1', content: '' },
      { role: 'tool', tool_call_id: 't2', content: '' },
    ]);
    expect(dropped).toEqual(['server_tool_use blocks']);
  });

  it('leaves out an assistant turn that held only thinking', () => {
    const { chat, dropped } = messagesToChat(
      request({
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }] },
          { role: 'user', content: 'b' },
        ],
      }),
    );
    expect(chat.messages.map((m: ChatMessage) => m.content)).toEqual(['a', 'b']);
    expect(dropped).toEqual(['thinking blocks']);
  });

  describe('tools', () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather now',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { name: 'lookup', type: 'custom', input_schema: { type: 'object' } },
      { name: 'web_search', type: 'web_search_20250305', max_uses: 3 },
      { name: 'str_replace_based_edit_tool', type: 'text_editor_20250728' },
    ];

    it('turns client tools into functions and drops server tools by name', () => {
      const { chat, dropped } = messagesToChat(request({ tools }));
      expect(chat.tools).toEqual([
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather now', parameters: tools[0].input_schema },
        },
        { type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } },
      ]);
      expect(dropped).toEqual([
        'tool web_search (web_search_20250305)',
        'tool str_replace_based_edit_tool (text_editor_20250728)',
      ]);
    });

    it.each([
      [{ type: 'auto' }, 'auto', undefined],
      [{ type: 'any' }, 'required', undefined],
      [{ type: 'none' }, 'none', undefined],
      [{ type: 'tool', name: 'lookup' }, { type: 'function', function: { name: 'lookup' } }, undefined],
      [{ type: 'auto', disable_parallel_tool_use: true }, 'auto', false],
      [{ type: 'any', disable_parallel_tool_use: true }, 'required', false],
      [
        { type: 'tool', name: 'lookup', disable_parallel_tool_use: true },
        { type: 'function', function: { name: 'lookup' } },
        false,
      ],
    ])('maps tool_choice %j to %j (parallel_tool_calls %s)', (choice, expected, parallel) => {
      const { chat } = messagesToChat(request({ tools, tool_choice: choice }));
      expect(chat.tool_choice).toEqual(expected);
      expect(chat.parallel_tool_calls).toBe(parallel);
    });

    it('refuses a tool_choice that requires a server tool, naming it', () => {
      expect(() => messagesToChat(request({ tools, tool_choice: { type: 'tool', name: 'web_search' } }))).toThrow(
        expect.objectContaining({
          code: 'invalid_request_error',
          options: expect.objectContaining({ param: 'tool_choice.name' }),
        }),
      );
      expect(() => messagesToChat(request({ tools, tool_choice: { type: 'tool', name: 'web_search' } }))).toThrow(
        /"web_search" is a server tool \(web_search_20250305\)/,
      );
    });

    it('refuses {"type": "any"} when every tool is a server tool', () => {
      const serverOnly = tools.slice(2);
      expect(() => messagesToChat(request({ tools: serverOnly, tool_choice: { type: 'any' } }))).toThrow(GatewayError);
      expect(() => messagesToChat(request({ tools: serverOnly, tool_choice: { type: 'any' } }))).toThrow(
        /web_search, str_replace_based_edit_tool/,
      );
    });

    it('sends no tool_choice when no tool is left', () => {
      const { chat } = messagesToChat(request({ tools: tools.slice(2), tool_choice: { type: 'auto' } }));
      expect(chat.tools).toBeUndefined();
      expect(chat.tool_choice).toBeUndefined();
    });
  });

  describe('generation settings', () => {
    it('maps stop_sequences, temperature and top_p, and names top_k', () => {
      const { chat, dropped } = messagesToChat(
        request({ stop_sequences: ['END', '\n\nHuman:'], temperature: 0.2, top_p: 0.9, top_k: 40 }),
      );
      expect(chat).toMatchObject({ stop: ['END', '\n\nHuman:'], temperature: 0.2, top_p: 0.9, max_tokens: 512 });
      expect(chat).not.toHaveProperty('top_k');
      expect(dropped).toEqual(['top_k']);
    });

    it('leaves stream fields out of a non-stream request', () => {
      const { chat } = messagesToChat(request({ stream: false }));
      expect(chat).not.toHaveProperty('stream');
      expect(chat).not.toHaveProperty('stream_options');
    });

    it('names enabled and adaptive thinking, but not disabled thinking', () => {
      expect(messagesToChat(request({ thinking: { type: 'enabled', budget_tokens: 2048 } })).dropped).toEqual([
        'thinking',
      ]);
      expect(messagesToChat(request({ thinking: { type: 'adaptive' } })).dropped).toEqual(['thinking']);
      expect(messagesToChat(request({ thinking: { type: 'disabled' } })).dropped).toEqual([]);
    });

    it('maps output_config.format to a JSON-schema response_format and names effort', () => {
      const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
      const { chat, dropped } = messagesToChat(
        request({ output_config: { format: { type: 'json_schema', schema }, effort: 'high' } }),
      );
      expect(chat.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema } });
      expect(dropped).toEqual(['output_config.effort']);
    });

    it('names Anthropic-only fields and ignores unknown ones', () => {
      const { chat, dropped } = messagesToChat(
        request({
          service_tier: 'auto',
          container: 'container_1',
          brand_new_field: true,
          cache_control: { type: 'ephemeral' },
        }),
      );
      expect(dropped.sort()).toEqual(['cache_control', 'container', 'service_tier']);
      expect(Object.keys(chat).sort()).toEqual(['max_tokens', 'messages', 'model']);
    });
  });
});

describe('plain-text turns', () => {
  it('translate as their one text block does, empty ones included', () => {
    const texts: Array<[string, string]> = [
      ['user', 'Hi'],
      ['assistant', 'Hello'],
      ['user', ''],
      ['assistant', ''],
      ['system', 'Rules.'],
      ['system', ''],
      ['user', 'Bye'],
    ];
    const asStrings = request({ messages: texts.map(([role, content]) => ({ role, content })) });
    const asBlocks = request({
      messages: texts.map(([role, text]) => ({ role, content: [{ type: 'text', text }] })),
    });
    expect(messagesToChat(asStrings)).toEqual(messagesToChat(asBlocks));
    expect(messagesToChat(asStrings).chat.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: '' },
      { role: 'system', content: 'Rules.' },
      { role: 'system', content: '' },
      { role: 'user', content: 'Bye' },
    ]);
  });
});

describe('messagesToChatInTurns', () => {
  /** Whether other work (a setImmediate queued before the call) ran before the translation was done. */
  async function yielded(run: () => Promise<unknown>): Promise<boolean> {
    let ran = false;
    setImmediate(() => (ran = true));
    await run();
    return ran;
  }

  it('translates a long conversation slice by slice, letting other work run, to the same request', async () => {
    const long = request({
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: claudeCodeTurn.messages.concat(claudeCodeTurn.messages, claudeCodeTurn.messages),
      tools: claudeCodeTurn.tools,
      top_k: 5,
    });
    let sliced: Awaited<ReturnType<typeof messagesToChatInTurns>> | undefined;
    expect(await yielded(async () => (sliced = await messagesToChatInTurns(long, { sliceItems: 2, turnMs: 0 })))).toBe(
      true,
    );
    expect(sliced).toEqual(messagesToChat(long));
  });

  it('translates a conversation of up to one slice at once', async () => {
    const short = request({ messages: claudeCodeTurn.messages });
    expect(await yielded(() => messagesToChatInTurns(short, { sliceItems: 1_000, turnMs: 0 }))).toBe(false);
  });
});
