import { SseAudit } from './sse-audit';

function audit(text: string, usageAsked = true): SseAudit {
  const checked = new SseAudit();
  text.split('\n').forEach((line) => checked.line(line));
  checked.finish(usageAsked);
  return checked;
}

const chunk = (extra: object) => `data: ${JSON.stringify({ model: 'm', choices: [], ...extra })}\n\n`;

describe('SseAudit', () => {
  it('accepts data lines, keep-alive comments and CRLF, and reads model and usage', () => {
    const checked = audit(
      `: keep-alive\n\n${chunk({ choices: [{ delta: { content: 'OK' } }] })}${chunk({ usage: { prompt_tokens: 3 } })}`.replace(
        /\n/g,
        '\r\n',
      ) + 'data: [DONE]\r\n\r\n',
    );
    expect(checked).toMatchObject({ problems: [], chunks: 2, comments: 1, done: true, model: 'm', contentChars: 2 });
    expect(checked.usage).toEqual({ prompt_tokens: 3 });
  });

  it('names each way a stream goes wrong', () => {
    expect(audit(`${chunk({})}data: [DONE]\n\n`).problems).toEqual([
      'no usage chunk, though stream_options.include_usage was set',
    ]);
    expect(audit(`${chunk({ usage: {} })}`).problems).toEqual(['the stream did not end with data: [DONE]']);
    expect(audit(`event: message\n${chunk({ usage: {} })}data: [DONE]\n\n`).problems).toEqual([
      'line 1 is not a "data:" line: "event: message"',
    ]);
    expect(audit(`data: {nope\n\ndata: [DONE]\n\n`, false).problems).toEqual([
      'line 1 is not JSON: "{nope"',
      'no chunks arrived',
    ]);
    expect(
      audit(`${chunk({ usage: {} })}data: {"error":{"message":"boom"}}\n\ndata: [DONE]\n\ndata: {}\n\n`).problems,
    ).toEqual(['an error event arrived: "{\\"message\\":\\"boom\\"}"', 'line 7 comes after data: [DONE]']);
  });
});
