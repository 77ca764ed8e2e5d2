import { thoughtSignatureOf, toolCallId } from './gemini-tool-call-id.mapper';

describe('tool-call ids', () => {
  it('are derived from the response, choice and call index alone', () => {
    expect(toolCallId('abc', 0, 1)).toBe('call_abc_0_1');
    expect(toolCallId('abc', 0, 1)).toBe(toolCallId('abc', 0, 1));
    expect(thoughtSignatureOf('call_abc_0_1')).toBeUndefined();
  });

  it('carry a thought signature back exactly, within the characters every client accepts in an id', () => {
    for (const signature of ['CsYBAdHtim9+/Q==', 'AAEC/w==', 'q+/x', 'ab/+cdE=']) {
      const id = toolCallId('abc', 2, 0, signature);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(thoughtSignatureOf(id)).toBe(signature);
    }
  });
});
