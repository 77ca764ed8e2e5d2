import type { ChatCompletionChunk } from '@app/common';
import { SseParser } from '../sse/sse-parser';
import { identify, toChatCompletion } from './gemini-response.mapper';
import { GeminiStreamTransformer } from './gemini-stream.transformer';
import type { GeminiResponse } from './gemini.types';

const base = { modelVersion: 'gemini-2.5-flash', responseId: 'rid' };

const TOOL_STREAM: GeminiResponse[] = [
  {
    ...base,
    candidates: [{ content: { role: 'model', parts: [{ text: 'Let me ' }] }, index: 0 }],
    usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 2, totalTokenCount: 22 },
  },
  {
    ...base,
    candidates: [
      {
        content: {
          role: 'model',
          parts: [
            { text: 'check.' },
            { functionCall: { name: 'a', args: { q: 1 } } },
            { functionCall: { name: 'b', args: {} }, thoughtSignature: 'c2lnbg==' },
          ],
        },
        index: 0,
      },
    ],
    usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 12, totalTokenCount: 32 },
  },
  {
    ...base,
    candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 12, thoughtsTokenCount: 8, totalTokenCount: 40 },
  },
];

function run(events: GeminiResponse[]): { chunks: ChatCompletionChunk[]; end: ChatCompletionChunk | undefined } {
  const transformer = new GeminiStreamTransformer('gemini-2.5-flash');
  const chunks = events.flatMap((event) => transformer.translate(event));
  return { chunks, end: transformer.end() };
}

const deltas = (chunks: ChatCompletionChunk[]) =>
  chunks.map((chunk) => [chunk.choices[0].index, chunk.choices[0].delta, chunk.choices[0].finish_reason]);

describe('GeminiStreamTransformer', () => {
  it('sends the role first, then one chunk per part, tool calls indexed among tool calls only, then the finish', () => {
    const { chunks } = run(TOOL_STREAM);
    expect(deltas(chunks)).toEqual([
      [0, { role: 'assistant', content: '' }, null],
      [0, { content: 'Let me ' }, null],
      [0, { content: 'check.' }, null],
      [
        0,
        {
          tool_calls: [
            { index: 0, id: 'call_rid_0_0', type: 'function', function: { name: 'a', arguments: '{"q":1}' } },
          ],
        },
        null,
      ],
      [
        0,
        {
          tool_calls: [
            {
              index: 1,
              id: 'call_rid_0_1__thought__c2lnbg',
              type: 'function',
              function: { name: 'b', arguments: '{}' },
            },
          ],
        },
        null,
      ],
      [0, {}, 'tool_calls'],
    ]);
    expect(new Set(chunks.map((chunk) => `${chunk.id} ${chunk.object} ${chunk.model}`))).toEqual(
      new Set(['chatcmpl-rid chat.completion.chunk gemini-2.5-flash']),
    );
  });

  it('ends with one usage chunk built from the last usageMetadata, since Gemini repeats running totals', () => {
    const { end } = run(TOOL_STREAM);
    expect(end).toMatchObject({
      id: 'chatcmpl-rid',
      choices: [],
      usage: {
        prompt_tokens: 20,
        completion_tokens: 20,
        total_tokens: 40,
        completion_tokens_details: { reasoning_tokens: 8 },
      },
    });
  });

  it('ends with a usage chunk that carries no usage when Gemini sent none, never zeros priced at nothing', () => {
    const { end } = run([{ ...base, candidates: [{ content: { parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }] }]);
    expect(end).toMatchObject({ choices: [] });
    expect(end).not.toHaveProperty('usage');
  });

  it('gives the same tool calls, finish reason and usage as the non-stream translation of the same answer', () => {
    const { chunks, end } = run(TOOL_STREAM);
    const whole: GeminiResponse = {
      ...base,
      candidates: [
        {
          content: { parts: TOOL_STREAM.flatMap((event) => event.candidates![0].content!.parts!) },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: TOOL_STREAM.at(-1)!.usageMetadata,
    };
    const completion = toChatCompletion(whole, identify(whole, 'gemini-2.5-flash'));
    const streamedCalls = chunks
      .flatMap((chunk) => chunk.choices[0].delta.tool_calls ?? [])
      .map(({ index: _index, ...call }) => call);
    expect(streamedCalls).toEqual(completion.choices[0].message.tool_calls);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe(completion.choices[0].finish_reason);
    expect(end!.usage).toEqual(completion.usage);
  });

  it('reports an unfinished stream by having no closing chunk', () => {
    expect(run(TOOL_STREAM.slice(0, 2)).end).toBeUndefined();
    expect(run([]).end).toBeUndefined();
  });

  it('keeps each candidate in its own choice with its own role, tool-call count and finish', () => {
    const { chunks, end } = run([
      {
        ...base,
        candidates: [
          { content: { parts: [{ text: 'A' }] }, index: 0 },
          { content: { parts: [{ functionCall: { name: 'f' } }] }, index: 1 },
        ],
      },
      { ...base, candidates: [{ finishReason: 'STOP', index: 0 }] },
    ]);
    expect(deltas(chunks)).toEqual([
      [0, { role: 'assistant', content: '' }, null],
      [0, { content: 'A' }, null],
      [1, { role: 'assistant', content: '' }, null],
      [
        1,
        { tool_calls: [{ index: 0, id: 'call_rid_1_0', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        null,
      ],
      [0, {}, 'stop'],
    ]);
    expect(end).toBeUndefined();
  });

  it('sends thoughts as reasoning_content and a blocked prompt as a content_filter finish', () => {
    expect(
      deltas(
        run([{ ...base, candidates: [{ content: { parts: [{ text: 'hmm', thought: true }] }, finishReason: 'STOP' }] }])
          .chunks,
      ),
    ).toEqual([
      [0, { role: 'assistant', content: '' }, null],
      [0, { reasoning_content: 'hmm' }, null],
      [0, {}, 'stop'],
    ]);
    const blocked = run([
      {
        ...base,
        promptFeedback: { blockReason: 'SAFETY' },
        usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 },
      },
    ]);
    expect(deltas(blocked.chunks)).toEqual([
      [0, { role: 'assistant', content: '' }, null],
      [0, {}, 'content_filter'],
    ]);
    expect(blocked.end?.usage).toMatchObject({ prompt_tokens: 3, total_tokens: 3 });
  });

  it('finishes a choice once, even if Gemini repeats the finish reason on a trailing usage-only event', () => {
    const { chunks } = run([
      { ...base, candidates: [{ content: { parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }] },
      {
        ...base,
        candidates: [{ finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
      },
    ]);
    expect(chunks.filter((chunk) => chunk.choices[0].finish_reason)).toHaveLength(1);
  });

  it('translates the same bytes to the same chunks however they are split (seeded property test)', () => {
    const bytes = Buffer.from(
      TOOL_STREAM.map((event) => `data: ${JSON.stringify(event)}\r\n\r\n`)
        .join('')
        .replace('Let me ', 'Lät mé 🌧 '),
    );
    const translate = (cuts: number[]) => {
      const parser = new SseParser();
      const transformer = new GeminiStreamTransformer('gemini-2.5-flash');
      const out: ChatCompletionChunk[] = [];
      let start = 0;
      for (const cut of [...cuts, bytes.length]) {
        for (const event of parser.push(bytes.subarray(start, cut)))
          out.push(...transformer.translate(JSON.parse(event.data)));
        start = cut;
      }
      out.push(transformer.end()!);
      return out.map(({ created: _created, ...chunk }) => chunk);
    };
    const reference = translate([]);
    expect(reference.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Lät mé 🌧 check.');
    for (let cut = 1; cut < bytes.length; cut++) expect(translate([cut])).toEqual(reference);
    let seed = 1234;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 300; round++) {
      const cuts = Array.from(
        { length: 1 + Math.floor(random() * 20) },
        () => 1 + Math.floor(random() * (bytes.length - 1)),
      );
      expect(translate([...new Set(cuts)].sort((a, b) => a - b))).toEqual(reference);
    }
  });
});
