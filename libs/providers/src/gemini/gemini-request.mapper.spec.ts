import { ChatCompletionRequest, ChatMessage, GatewayError } from '@app/common';
import { toGeminiRequest } from './gemini-request.mapper';
import { toolCallId } from './gemini-tool-call-id.mapper';

const request = (messages: ChatMessage[], extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'm',
  messages,
  ...extra,
});

describe('toGeminiRequest', () => {
  describe('messages', () => {
    it('gathers system and developer messages into systemInstruction and maps assistant to model', () => {
      const { body } = toGeminiRequest(
        request([
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'Weather?' },
        ]),
      );
      expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Use metric units.' }] });
      expect(body.contents).toEqual([
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'Weather?' }] },
      ]);
    });

    it('merges consecutive messages of one role and skips empty ones', () => {
      const { body } = toGeminiRequest(
        request([
          { role: 'user', content: 'one' },
          { role: 'user', content: '' },
          { role: 'user', content: [{ type: 'text', text: 'two' }] },
          { role: 'assistant', content: 'three' },
          { role: 'assistant', content: null },
        ]),
      );
      expect(body.contents).toEqual([
        { role: 'user', parts: [{ text: 'one' }, { text: 'two' }] },
        { role: 'model', parts: [{ text: 'three' }] },
      ]);
    });

    it('inlines data-URL images and audio, passes image URLs with a known type as fileData and drops the rest', () => {
      const { body, droppedParams } = toGeminiRequest(
        request([
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.JPG?size=large', detail: 'high' } },
              { type: 'image_url', image_url: { url: 'https://example.com/render?id=7' } },
              { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
              { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
              { type: 'refusal', refusal: 'no' },
            ],
          },
        ]),
      );
      expect(body.contents[0].parts).toEqual([
        { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
        { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=large' } },
        { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
        { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      ]);
      expect(droppedParams).toEqual(['image_url', 'refusal']);
    });

    it('base64-encodes a data URL that is not base64 already', () => {
      const { body } = toGeminiRequest(
        request([
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml,%3Csvg%2F%3E' } }] },
        ]),
      );
      expect(body.contents[0].parts).toEqual([
        { inlineData: { mimeType: 'image/svg+xml', data: Buffer.from('<svg/>').toString('base64') } },
      ]);
    });

    it('refuses roles Gemini has no place for', () => {
      expect(() => toGeminiRequest(request([{ role: 'function', name: 'f', content: '1' }]))).toThrow(GatewayError);
    });
  });

  describe('tool calls and results', () => {
    const callWeather = {
      id: 'call_1',
      type: 'function' as const,
      function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
    };
    const callTime = { id: 'call_2', type: 'function' as const, function: { name: 'get_time', arguments: '' } };

    it('turns tool calls into functionCall parts and results into functionResponse parts named after the call', () => {
      const { body } = toGeminiRequest(
        request([
          { role: 'user', content: 'Weather and time?' },
          { role: 'assistant', content: 'Checking.', tool_calls: [callWeather, callTime] },
          { role: 'tool', tool_call_id: 'call_2', content: '12:00' },
          { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '{"temp":4}' }] },
          { role: 'user', content: 'Thanks' },
        ]),
      );
      expect(body.contents).toEqual([
        { role: 'user', parts: [{ text: 'Weather and time?' }] },
        {
          role: 'model',
          parts: [
            { text: 'Checking.' },
            { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } },
            { functionCall: { name: 'get_time', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_time', response: { result: '12:00' } } },
            { functionResponse: { name: 'get_weather', response: { temp: 4 } } },
            { text: 'Thanks' },
          ],
        },
      ]);
    });

    it('wraps every tool result that is not a JSON object', () => {
      const responses = ['[1,2]', '42', '"quoted"', 'null', 'plain text', ''].map((content) => {
        const { body } = toGeminiRequest(
          request([
            { role: 'user', content: 'q' },
            { role: 'assistant', tool_calls: [callWeather] },
            { role: 'tool', tool_call_id: 'call_1', content },
          ]),
        );
        return body.contents[2].parts[0].functionResponse?.response;
      });
      expect(responses).toEqual([
        { result: [1, 2] },
        { result: 42 },
        { result: 'quoted' },
        { result: null },
        { result: 'plain text' },
        { result: '' },
      ]);
    });

    it('gives a function call back the thought signature its id carries', () => {
      const id = toolCallId('resp', 0, 0, 'CsYBAdHtim9+/Q==');
      const { body } = toGeminiRequest(
        request([
          { role: 'user', content: 'q' },
          { role: 'assistant', tool_calls: [{ ...callWeather, id }] },
          { role: 'tool', tool_call_id: id, content: 'ok' },
        ]),
      );
      expect(body.contents[1].parts).toEqual([
        { functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'CsYBAdHtim9+/Q==' },
      ]);
    });

    it('refuses a result for an unknown call and arguments that are not a JSON object', () => {
      const unknown = () =>
        toGeminiRequest(
          request([
            { role: 'user', content: 'q' },
            { role: 'tool', tool_call_id: 'call_x', content: '1' },
          ]),
        );
      expect(unknown).toThrow(
        expect.objectContaining({ code: 'invalid_request_error', options: { param: 'messages[1].tool_call_id' } }),
      );
      for (const args of ['{broken', '[1]']) {
        const bad = () =>
          toGeminiRequest(
            request([
              { role: 'assistant', tool_calls: [{ ...callWeather, function: { name: 'f', arguments: args } }] },
            ]),
          );
        expect(bad).toThrow(
          expect.objectContaining({
            code: 'invalid_request_error',
            options: { param: 'messages[0].tool_calls[0].function.arguments' },
          }),
        );
      }
    });
  });

  describe('tools', () => {
    const weather = {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        description: 'Weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false },
      },
    };
    const ping = {
      type: 'function' as const,
      function: { name: 'ping', parameters: { type: 'object', properties: {} } },
    };

    it('declares functions with cleaned schemas, and none for a function without parameters', () => {
      const { body } = toGeminiRequest(request([{ role: 'user', content: 'q' }], { tools: [weather, ping] }));
      expect(body.tools).toEqual([
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
            },
            { name: 'ping' },
          ],
        },
      ]);
    });

    it.each([
      ['auto', { mode: 'AUTO' }],
      ['none', { mode: 'NONE' }],
      ['required', { mode: 'ANY' }],
      [
        { type: 'function', function: { name: 'ping' } },
        { mode: 'ANY', allowedFunctionNames: ['ping'] },
      ],
    ])('maps tool_choice %j to %j', (choice, config) => {
      const { body, droppedParams } = toGeminiRequest(
        request([{ role: 'user', content: 'q' }], { tools: [weather, ping], tool_choice: choice }),
      );
      expect(body.toolConfig).toEqual({ functionCallingConfig: config });
      expect(droppedParams).toEqual([]);
    });

    it('drops tool kinds and tool choices it cannot express', () => {
      const { body, droppedParams } = toGeminiRequest(
        request([{ role: 'user', content: 'q' }], {
          tools: [weather, { type: 'custom', custom: { name: 'x' } } as never],
          tool_choice: { type: 'allowed_tools' },
        }),
      );
      expect(body.tools?.[0].functionDeclarations.map((d) => d.name)).toEqual(['get_weather']);
      expect(body.toolConfig).toBeUndefined();
      expect(droppedParams).toEqual(['tools', 'tool_choice']);
    });
  });

  describe('generation settings', () => {
    it('maps sampling, length and stop settings into generationConfig', () => {
      const { body, droppedParams } = toGeminiRequest(
        request([{ role: 'user', content: 'q' }], {
          max_tokens: 100,
          max_completion_tokens: 200,
          temperature: 0.2,
          top_p: 0.9,
          stop: 'END',
          n: 2,
          seed: 7,
          presence_penalty: 0.5,
          frequency_penalty: -0.5,
        }),
      );
      expect(body.generationConfig).toEqual({
        maxOutputTokens: 200,
        temperature: 0.2,
        topP: 0.9,
        stopSequences: ['END'],
        candidateCount: 2,
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: -0.5,
      });
      expect(droppedParams).toEqual([]);
    });

    it('sends no generationConfig when nothing is set, and no candidateCount for n = 1', () => {
      expect(
        toGeminiRequest(request([{ role: 'user', content: 'q' }], { n: 1, stop: [] })).body.generationConfig,
      ).toBeUndefined();
    });

    it('asks for JSON output, with the cleaned schema when one is given', () => {
      const json = toGeminiRequest(
        request([{ role: 'user', content: 'q' }], { response_format: { type: 'json_object' } }),
      );
      expect(json.body.generationConfig).toEqual({ responseMimeType: 'application/json' });
      const schema = toGeminiRequest(
        request([{ role: 'user', content: 'q' }], {
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: 'x',
              strict: true,
              schema: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
            },
          },
        }),
      );
      expect(schema.body.generationConfig).toEqual({
        responseMimeType: 'application/json',
        responseSchema: { type: 'object', properties: { a: { type: 'string' } } },
      });
    });

    it('maps reasoning_effort to a thinking budget, asking for thought summaries unless thinking is off', () => {
      const high = toGeminiRequest(request([{ role: 'user', content: 'q' }], { reasoning_effort: 'high' }));
      expect(high.body.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 24576, includeThoughts: true } });
      const none = toGeminiRequest(request([{ role: 'user', content: 'q' }], { reasoning_effort: 'none' }));
      expect(none.body.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0, includeThoughts: false } });
    });

    it('reports every parameter it cannot honour, and not the ones that ask for what Gemini does anyway', () => {
      const { droppedParams } = toGeminiRequest(
        request([{ role: 'user', content: 'q' }], {
          user: 'u',
          logit_bias: { 1: 2 },
          logprobs: true,
          top_logprobs: 3,
          service_tier: 'flex',
          reasoning_effort: 'extreme',
          response_format: { type: 'grammar' },
          parallel_tool_calls: true,
          metadata: null,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      expect(droppedParams).toEqual([
        'user',
        'logit_bias',
        'logprobs',
        'top_logprobs',
        'service_tier',
        'response_format',
        'reasoning_effort',
      ]);
      expect(
        toGeminiRequest(request([{ role: 'user', content: 'q' }], { parallel_tool_calls: false, logprobs: false }))
          .droppedParams,
      ).toEqual(['parallel_tool_calls']);
    });
  });
});
