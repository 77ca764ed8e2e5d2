import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChatMessage, GatewayError } from '@app/common';
import { parseResponsesRequest } from './responses-request';
import { responsesToChat } from './responses-to-chat';
import type { ResponsesRequest } from './responses.types';

const CHAT_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Request bodies Codex CLI 0.171 sent (recorded against a scripted upstream). */
function recorded(name: string): ResponsesRequest {
  return parseResponsesRequest(
    JSON.parse(readFileSync(resolve(__dirname, '../../../../test/fixtures/agents', `${name}.json`), 'utf8')),
  );
}

function request(fields: Partial<ResponsesRequest>): ResponsesRequest {
  return parseResponsesRequest({ model: 'm', input: 'hi', ...fields });
}

function rejection(fields: Partial<ResponsesRequest>): GatewayError {
  try {
    responsesToChat(request(fields));
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('responsesToChat', () => {
  describe('a recorded Codex CLI turn (tool call history, hosted tools, a custom tool, encrypted reasoning)', () => {
    const body = recorded('codex-turn2');
    const { chat, dropped, droppedTools, toolNames } = responsesToChat(body);

    it('keeps the conversation: developer messages as system, the tool call and its output paired by call_id', () => {
      expect(chat.messages.map((message) => message.role)).toEqual([
        'system',
        'system',
        'user',
        'user',
        'assistant',
        'tool',
      ]);
      expect(chat.messages[3]).toEqual({ role: 'user', content: 'Run echo hi, then say done' });
      expect(chat.messages[4]).toEqual({
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_0', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"echo hi"}' } },
        ],
      });
      expect(chat.messages[5]).toEqual({
        role: 'tool',
        tool_call_id: 'call_0',
        content: expect.stringContaining('Output:\nhi'),
      });
    });

    it('offers the function tools and the freeform apply_patch (its grammar in the description), drops the hosted ones', () => {
      const names = chat.tools!.map((tool) => tool.function.name);
      expect(names).toEqual([
        'exec_command',
        'write_stdin',
        'request_user_input',
        'apply_patch',
        'view_image',
        'get_goal',
        'create_goal',
        'update_goal',
      ]);
      expect(names.every((name) => CHAT_TOOL_NAME.test(name))).toBe(true);
      const patch = chat.tools!.find((tool) => tool.function.name === 'apply_patch')!.function;
      expect(patch.parameters).toMatchObject({
        type: 'object',
        required: ['input'],
        properties: { input: { type: 'string' } },
      });
      expect(JSON.stringify(patch.parameters)).toContain('*** Begin Patch');
      expect(toolNames.resolve('apply_patch')).toEqual({ name: 'apply_patch', kind: 'custom' });
      expect(droppedTools).toEqual(['tool_search', 'web_search']);
    });

    it('maps the parameters Codex sets and names what a chat upstream cannot take', () => {
      expect(chat).toMatchObject({
        model: 'gpt-5.5',
        stream: true,
        stream_options: { include_usage: true },
        tool_choice: 'auto',
        parallel_tool_calls: true,
        reasoning_effort: 'medium',
        verbosity: 'low',
        prompt_cache_key: body.prompt_cache_key,
      });
      expect(chat).not.toHaveProperty('client_metadata');
      expect(chat).not.toHaveProperty('store');
      expect(dropped).toEqual(['include', 'reasoning.encrypted_content']);
    });
  });

  it('flattens a namespaced tool group (Codex with a model it does not know) and maps the names back', () => {
    const { chat, toolNames } = responsesToChat(recorded('codex-fallback-model-turn2'));
    const agentTools = chat.tools!.filter((tool) => tool.function.name.startsWith('multi_agent_v1__'));
    expect(agentTools.map((tool) => tool.function.name)).toEqual([
      'multi_agent_v1__close_agent',
      'multi_agent_v1__resume_agent',
      'multi_agent_v1__send_input',
      'multi_agent_v1__spawn_agent',
      'multi_agent_v1__wait_agent',
    ]);
    expect(agentTools[0].function.description).toMatch(
      /^Tools for spawning and managing sub-agents\.\n\nClose an agent/,
    );
    expect(agentTools[0].function.parameters).toMatchObject({
      type: 'object',
      properties: { target: expect.anything() },
    });
    expect(toolNames.resolve('multi_agent_v1__spawn_agent')).toEqual({
      namespace: 'multi_agent_v1',
      name: 'spawn_agent',
      kind: 'function',
    });
  });

  describe('input items', () => {
    it('puts instructions first, turns a string input into one user message', () => {
      expect(responsesToChat(request({ instructions: 'Be brief.', input: 'hi' })).chat.messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ]);
    });

    it('merges consecutive calls, and a call after assistant text, into one assistant turn; custom calls carry {input}', () => {
      const { chat } = responsesToChat(
        request({
          tools: [
            { type: 'function', name: 'read', parameters: { type: 'object' } },
            { type: 'namespace', name: 'crm', description: 'CRM.', tools: [{ type: 'custom', name: 'note' }] },
          ],
          input: [
            { role: 'user', content: [{ type: 'input_text', text: 'Read a and b, then note.' }] },
            {
              type: 'message',
              role: 'assistant',
              content: [{ type: 'output_text', text: 'Reading both.', annotations: [] }],
            },
            { type: 'function_call', call_id: 'c1', name: 'read', arguments: '{"p":"a"}' },
            { type: 'function_call', call_id: 'c2', name: 'read', arguments: '{"p":"b"}' },
            { type: 'function_call_output', call_id: 'c1', output: 'A' },
            {
              type: 'function_call_output',
              call_id: 'c2',
              output: [
                { type: 'input_text', text: 'B1' },
                { type: 'input_text', text: 'B2' },
              ],
            },
            { type: 'custom_tool_call', call_id: 'c3', namespace: 'crm', name: 'note', input: 'a and b read' },
            { type: 'custom_tool_call_output', call_id: 'c3', output: 'noted' },
          ],
        }),
      );
      expect(chat.messages).toEqual<ChatMessage[]>([
        { role: 'user', content: 'Read a and b, then note.' },
        {
          role: 'assistant',
          content: 'Reading both.',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'read', arguments: '{"p":"a"}' } },
            { id: 'c2', type: 'function', function: { name: 'read', arguments: '{"p":"b"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'A' },
        { role: 'tool', tool_call_id: 'c2', content: 'B1\nB2' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c3', type: 'function', function: { name: 'crm__note', arguments: '{"input":"a and b read"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c3', content: 'noted' },
      ]);
    });

    it("returns the gateway's own readable reasoning as reasoning_content on the next tool-call turn only", () => {
      const { chat, dropped } = responsesToChat(
        request({
          input: [
            { role: 'user', content: 'q1' },
            {
              type: 'reasoning',
              id: 'rs_1',
              summary: [{ type: 'summary_text', text: 'thinking about q1' }],
              encrypted_content: null,
            },
            { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a1' }] },
            { role: 'user', content: 'q2' },
            { type: 'reasoning', id: 'rs_2', summary: [{ type: 'summary_text', text: 'need a tool' }] },
            { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
            { type: 'function_call_output', call_id: 'c1', output: 'r' },
            {
              type: 'reasoning',
              id: 'rs_3',
              summary: [{ type: 'summary_text', text: 'OpenAI summary' }],
              encrypted_content: 'gAAAA',
            },
            { type: 'function_call', call_id: 'c2', name: 'f', arguments: '' },
          ],
        }),
      );
      expect(chat.messages[1]).toEqual({ role: 'assistant', content: 'a1' });
      expect(chat.messages[3]).toMatchObject({ role: 'assistant', reasoning_content: 'need a tool' });
      expect(chat.messages[5]).toEqual({
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c2', type: 'function', function: { name: 'f', arguments: '{}' } }],
      });
      expect(dropped).toEqual(['reasoning.encrypted_content']);
    });

    it('sends images from tool outputs in one user message after the tool messages, and image URLs of user messages as image parts', () => {
      const { chat, dropped } = responsesToChat(
        request({
          input: [
            {
              role: 'user',
              content: [
                { type: 'input_text', text: 'look' },
                { type: 'input_image', image_url: 'https://x/a.png', detail: 'high' },
              ],
            },
            { type: 'function_call', call_id: 'c1', name: 'view_image', arguments: '{}' },
            {
              type: 'function_call_output',
              call_id: 'c1',
              output: [{ type: 'input_image', image_url: 'data:image/png;base64,AAAA' }],
            },
            {
              role: 'user',
              content: [
                { type: 'input_image', file_id: 'file_1' },
                { type: 'input_file', file_id: 'file_2' },
              ],
            },
          ],
        }),
      );
      expect(chat.messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://x/a.png', detail: 'high' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'view_image', arguments: '{}' } }],
        },
        {
          role: 'tool',
          tool_call_id: 'c1',
          content: '[1 image from this tool result follows in the next user message]',
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Images returned by the tool calls above:' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ]);
      expect(dropped).toEqual(['input_image without image_url (file_id)', 'content part "input_file"']);
    });

    it('drops hosted-tool history and outputs without their call, naming them', () => {
      const { chat, dropped } = responsesToChat(
        request({
          input: [
            { role: 'user', content: 'ls' },
            { type: 'local_shell_call', call_id: 's1', action: { type: 'exec', command: ['ls'] }, status: 'completed' },
            { type: 'local_shell_call_output', call_id: 's1', output: 'a' },
            { type: 'function_call_output', call_id: 'missing', output: 'x' },
          ],
        }),
      );
      expect(chat.messages).toEqual([{ role: 'user', content: 'ls' }]);
      expect(dropped).toEqual([
        'input item "local_shell_call"',
        'input item "local_shell_call_output"',
        'function_call_output without its call',
      ]);
    });

    it('refuses item references with a 400 that says to send full items with store false', () => {
      for (const reference of [{ type: 'item_reference', id: 'rs_9' }, { id: 'msg_9' }]) {
        const error = rejection({ input: [{ role: 'user', content: 'q' }, reference] });
        expect(error.status).toBe(400);
        expect(error.options.param).toBe('input[1]');
        expect(error.message).toMatch(/"store": false/);
      }
    });

    it('refuses a message with an unknown role', () => {
      expect(rejection({ input: [{ role: 'tool', content: 'x' }] }).options.param).toBe('input[0].role');
    });
  });

  describe('parameters', () => {
    it('maps limits, sampling, reasoning effort, JSON schema output and identifiers; names metadata', () => {
      const schema = {
        type: 'object',
        properties: { a: { type: 'string' } },
        required: ['a'],
        additionalProperties: false,
      };
      const { chat, dropped } = responsesToChat(
        request({
          max_output_tokens: 300,
          temperature: 0.2,
          top_p: 0.9,
          reasoning: { effort: 'high', summary: 'auto' },
          text: { format: { type: 'json_schema', name: 'answer', schema, strict: true } },
          user: 'u1',
          safety_identifier: 's1',
          metadata: { team: 'x' },
          truncation: 'auto',
        }),
      );
      expect(chat).toEqual({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        max_completion_tokens: 300,
        temperature: 0.2,
        top_p: 0.9,
        reasoning_effort: 'high',
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
        user: 'u1',
        safety_identifier: 's1',
      });
      expect(dropped).toEqual(['metadata', 'truncation']);
      expect(responsesToChat(request({ text: { format: { type: 'json_object' } } })).chat.response_format).toEqual({
        type: 'json_object',
      });
      expect(responsesToChat(request({ text: { format: { type: 'text' } } })).chat).not.toHaveProperty(
        'response_format',
      );
    });

    it('asks for streamed usage only on streams', () => {
      expect(responsesToChat(request({ stream: false })).chat).not.toHaveProperty('stream_options');
    });
  });

  describe('tool_choice', () => {
    const tools = [
      { type: 'function', name: 'read', parameters: { type: 'object' }, strict: true },
      { type: 'custom', name: 'apply_patch' },
      { type: 'namespace', name: 'crm', description: 'CRM.', tools: [{ type: 'function', name: 'lookup' }] },
      { type: 'web_search' },
      { type: 'mcp', server_label: 'docs', server_url: 'https://mcp' },
    ];

    it('translates none/auto/required and forced function, custom and namespaced tools', () => {
      const chatFor = (tool_choice: unknown) =>
        responsesToChat(request({ tools, tool_choice: tool_choice as ResponsesRequest['tool_choice'] })).chat;
      expect(chatFor('required').tool_choice).toBe('required');
      expect(chatFor({ type: 'function', name: 'read' }).tool_choice).toEqual({
        type: 'function',
        function: { name: 'read' },
      });
      expect(chatFor({ type: 'custom', name: 'apply_patch' }).tool_choice).toEqual({
        type: 'function',
        function: { name: 'apply_patch' },
      });
      expect(chatFor({ type: 'function', name: 'lookup', namespace: 'crm' }).tool_choice).toEqual({
        type: 'function',
        function: { name: 'crm__lookup' },
      });
      const chat = chatFor('auto');
      expect(chat.tools!.map((tool) => tool.function)).toEqual([
        { name: 'read', parameters: { type: 'object' }, strict: true },
        expect.objectContaining({ name: 'apply_patch' }),
        { name: 'crm__lookup', description: 'CRM.', parameters: { type: 'object', properties: {} } },
      ]);
    });

    it('narrows the tools to allowed_tools', () => {
      const chat = responsesToChat(
        request({
          tools,
          tool_choice: {
            type: 'allowed_tools',
            mode: 'required',
            tools: [
              { type: 'function', name: 'read' },
              { type: 'namespace', name: 'crm' },
            ],
          },
        }),
      ).chat;
      expect(chat.tool_choice).toBe('required');
      expect(chat.tools!.map((tool) => tool.function.name)).toEqual(['read', 'crm__lookup']);
    });

    it('refuses, naming it, a choice that requires a hosted tool the chat upstream cannot run', () => {
      const forced = rejection({ tools, tool_choice: { type: 'mcp', server_label: 'docs' } });
      expect(forced.options.param).toBe('tool_choice');
      expect(forced.message).toContain('"mcp:docs"');
      expect(rejection({ tools: [{ type: 'web_search' }], tool_choice: 'required' }).message).toContain('"web_search"');
      expect(
        rejection({ tools, tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'web_search' }] } })
          .message,
      ).toContain('"web_search"');
      expect(rejection({ tools, tool_choice: { type: 'function', name: 'missing' } }).message).toContain('"missing"');
    });

    it('leaves out tool_choice and parallel_tool_calls when no chat tool remains', () => {
      const { chat, droppedTools } = responsesToChat(
        request({ tools: [{ type: 'web_search' }], tool_choice: 'auto', parallel_tool_calls: false }),
      );
      expect(chat).not.toHaveProperty('tools');
      expect(chat).not.toHaveProperty('tool_choice');
      expect(chat).not.toHaveProperty('parallel_tool_calls');
      expect(droppedTools).toEqual(['web_search']);
    });
  });
});
