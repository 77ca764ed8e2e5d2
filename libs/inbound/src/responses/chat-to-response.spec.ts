import { ChatCompletion } from '@app/common';
import { openApiSchemas } from '../../../../test/utils/openapi-schema';
import { chatToResponse } from './chat-to-response';
import { parseResponsesRequest } from './responses-request';
import { responsesToChat } from './responses-to-chat';
import type { ResponseIdGenerator, ResponsesRequest } from './responses.types';

const schemas = openApiSchemas();
const itValidates = schemas ? it : it.skip;
if (!schemas)
  console.warn('OpenAI OpenAPI document not found (see test/utils/openapi-schema.ts): schema checks skipped.');

function sequentialIds(): ResponseIdGenerator {
  const counts = new Map<string, number>();
  return (prefix) => {
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    return `${prefix}${counts.get(prefix)}`;
  };
}

const request: ResponsesRequest = parseResponsesRequest({
  model: 'switchyard-coder',
  instructions: 'You are a coding agent.',
  input: 'Fix the bug.',
  tools: [
    {
      type: 'function',
      name: 'exec_command',
      parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
      strict: false,
    },
    {
      type: 'custom',
      name: 'apply_patch',
      description: 'Edit files.',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
    },
    {
      type: 'namespace',
      name: 'mcp__github__',
      description: 'GitHub.',
      tools: [{ type: 'function', name: 'create_issue', parameters: { type: 'object' } }],
    },
    { type: 'web_search' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  metadata: { team: 'platform' },
});
const { toolNames } = responsesToChat(request);

function completion(
  message: Partial<ChatCompletion['choices'][0]['message']>,
  finish: ChatCompletion['choices'][0]['finish_reason'] = 'stop',
): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_767_225_600,
    model: 'upstream-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, ...message },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage: {
      prompt_tokens: 2210,
      completion_tokens: 64,
      total_tokens: 2274,
      prompt_tokens_details: { cached_tokens: 2048 },
      completion_tokens_details: { reasoning_tokens: 32 },
    },
  };
}

const options = () => ({ ids: sequentialIds(), now: () => 1_767_225_605 });

describe('chatToResponse', () => {
  it('answers text as a completed response with one message item, the usage and the request settings echoed', () => {
    const response = chatToResponse(completion({ role: 'assistant', content: 'Done.' }), request, toolNames, options());
    expect(response).toEqual({
      id: 'resp_1',
      object: 'response',
      created_at: 1_767_225_600,
      status: 'completed',
      completed_at: 1_767_225_605,
      error: null,
      incomplete_details: null,
      instructions: 'You are a coding agent.',
      max_output_tokens: null,
      model: 'switchyard-coder',
      output: [
        {
          type: 'message',
          id: 'msg_1',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Done.', annotations: [], logprobs: [] }],
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: 'medium', summary: 'auto' },
      store: false,
      temperature: null,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: request.tools,
      top_p: null,
      truncation: 'disabled',
      metadata: { team: 'platform' },
      usage: {
        input_tokens: 2210,
        input_tokens_details: { cached_tokens: 2048, cache_write_tokens: 0 },
        output_tokens: 64,
        output_tokens_details: { reasoning_tokens: 32 },
        total_tokens: 2274,
      },
    });
  });

  it('turns reasoning, text and tool calls into items in stream order, restoring custom and namespaced tools', () => {
    const response = chatToResponse(
      completion(
        {
          role: 'assistant',
          content: 'Patching.',
          reasoning_content: 'The bug is in a.ts.',
          tool_calls: [
            {
              id: 'call_A',
              type: 'function',
              function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch\\n"}' },
            },
            {
              id: 'call_B',
              type: 'function',
              function: { name: 'mcp__github__create_issue', arguments: '{"title":"t"}' },
            },
            { id: 'call_C', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } },
          ],
        },
        'tool_calls',
      ),
      request,
      toolNames,
      options(),
    );
    expect(response.status).toBe('completed');
    expect(response.output).toEqual([
      {
        type: 'reasoning',
        id: 'rs_1',
        summary: [{ type: 'summary_text', text: 'The bug is in a.ts.' }],
        status: 'completed',
      },
      {
        type: 'message',
        id: 'msg_1',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Patching.', annotations: [], logprobs: [] }],
      },
      {
        type: 'custom_tool_call',
        id: 'ctc_1',
        call_id: 'call_A',
        name: 'apply_patch',
        input: '*** Begin Patch\n*** End Patch\n',
      },
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_B',
        name: 'create_issue',
        namespace: 'mcp__github__',
        arguments: '{"title":"t"}',
        status: 'completed',
      },
      {
        type: 'function_call',
        id: 'fc_2',
        call_id: 'call_C',
        name: 'exec_command',
        arguments: '{"cmd":"ls"}',
        status: 'completed',
      },
    ]);
  });

  it('reports a cut-off answer as incomplete (max_output_tokens), and a filtered one (content_filter)', () => {
    const cut = chatToResponse(
      completion({ role: 'assistant', content: 'Half an ans' }, 'length'),
      request,
      toolNames,
      options(),
    );
    expect(cut).toMatchObject({
      status: 'incomplete',
      completed_at: null,
      incomplete_details: { reason: 'max_output_tokens' },
    });
    expect(cut.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    const filtered = chatToResponse(
      completion({ role: 'assistant', content: null }, 'content_filter'),
      request,
      toolNames,
      options(),
    );
    expect(filtered).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
  });

  it('always says something: an empty completion gives an empty message; a refusal becomes a refusal part', () => {
    expect(
      chatToResponse(completion({ role: 'assistant', content: null }), request, toolNames, options()).output,
    ).toEqual([
      {
        type: 'message',
        id: 'msg_1',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: '', annotations: [], logprobs: [] }],
      },
    ]);
    expect(
      chatToResponse(
        completion({ role: 'assistant', content: null, refusal: 'I cannot help.' }),
        request,
        toolNames,
        options(),
      ).output[0],
    ).toMatchObject({
      content: [{ type: 'refusal', refusal: 'I cannot help.' }],
    });
  });

  it('counts 0 for usage the upstream did not report', () => {
    const { usage: _omitted, ...noUsage } = completion({ role: 'assistant', content: 'x' });
    expect(chatToResponse(noUsage, request, toolNames, options()).usage).toEqual({
      input_tokens: 0,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 0,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 0,
    });
  });

  itValidates("produces objects that satisfy the OpenAPI spec's Response schema", () => {
    const cases = [
      completion({ role: 'assistant', content: 'Done.' }),
      completion({ role: 'assistant', content: 'Half', reasoning_content: 'hmm' }, 'length'),
      completion({ role: 'assistant', content: null, refusal: 'No.' }),
      completion(
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'r',
          tool_calls: [
            { id: 'call_A', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"p"}' } },
            { id: 'call_B', type: 'function', function: { name: 'mcp__github__create_issue', arguments: '{}' } },
          ],
        },
        'tool_calls',
      ),
    ];
    for (const c of cases)
      expect(schemas!.errors('Response', chatToResponse(c, request, toolNames, options()))).toEqual([]);
  });
});
