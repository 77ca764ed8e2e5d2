/**
 * Checks a Chat Completions stream line by line, as the OpenAI SDKs read it: every line is `data: …`
 * (blank lines separate events; `:` comments are allowed keep-alives), every chunk is JSON, an error
 * event is a failure, usage arrives when asked, and `data: [DONE]` ends it with nothing after.
 */
export class SseAudit {
  readonly problems: string[] = [];
  chunks = 0;
  comments = 0;
  done = false;
  model: string | null = null;
  usage: Record<string, unknown> | null = null;
  contentChars = 0;
  private lineNumber = 0;

  line(raw: string): void {
    this.lineNumber++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    if (line.startsWith(':')) {
      this.comments++;
      return;
    }
    if (!line.startsWith('data:')) return this.problem(`line ${this.lineNumber} is not a "data:" line: ${quote(line)}`);
    if (this.done) return this.problem(`line ${this.lineNumber} comes after data: [DONE]`);
    const payload = line.slice(line.startsWith('data: ') ? 6 : 5);
    if (payload === '[DONE]') {
      this.done = true;
      return;
    }
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      return this.problem(`line ${this.lineNumber} is not JSON: ${quote(payload)}`);
    }
    this.chunks++;
    if (chunk.error) return this.problem(`an error event arrived: ${quote(JSON.stringify(chunk.error))}`);
    if (typeof chunk.model === 'string' && chunk.model) this.model = chunk.model;
    if (chunk.usage && typeof chunk.usage === 'object') this.usage = chunk.usage as Record<string, unknown>;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as Array<{ delta?: { content?: unknown } }>) : [];
    for (const choice of choices) {
      if (typeof choice.delta?.content === 'string') this.contentChars += choice.delta.content.length;
    }
  }

  /** Called at the end of the body: what the whole stream lacked. */
  finish(usageAsked: boolean): void {
    if (this.chunks === 0) this.problem('no chunks arrived');
    if (usageAsked && !this.usage) this.problem('no usage chunk, though stream_options.include_usage was set');
    if (!this.done) this.problem('the stream did not end with data: [DONE]');
  }

  private problem(text: string): void {
    this.problems.push(text);
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
