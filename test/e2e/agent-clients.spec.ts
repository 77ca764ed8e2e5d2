import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { agentExecutable, AgentRun, runClaudeCode, runCodex } from '../utils/agent-clients';
import { eventually } from '../utils/eventually';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * The real coding agents, installed from the npm registry (devDependencies), run headless against the gateway:
 * Claude Code through /v1/messages and Codex CLI through /v1/responses, both served by an OpenAI-format upstream
 * that scripts a shell tool call, then the final answer. The agent must run the tool, send its result back and
 * finish; each model call leaves its evidence record.
 */
const PROVIDER_KEY = 'sk-agents-provider';
const claude = agentExecutable('claude');
const codex = agentExecutable('codex');

for (const [client, path] of [
  ['claude', claude],
  ['codex', codex],
] as const) {
  if (!path) console.warn(`agent-clients: ${client} is not installed in node_modules/.bin; its test is skipped`);
}

describe('coding agents through the gateway', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let key: { key: string; id: string };

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    const upstream = await fake.start();
    // The agents ask for their own model names; catalog aliases map them to the gateway's model.
    gateway = await startTestGateway({
      catalog: openAiCatalog(upstream, PROVIDER_KEY, [
        {
          name: 'coder',
          aliases: ['claude-opus-4-8', 'gpt-5.5'],
          deployments: [{ provider: 'openai', model: 'gpt-test' }],
        },
      ]),
    });
    key = await gateway.createKey();
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  /** The tool result the agent sent back, as the upstream saw it (role `tool` in the translated chat request). */
  function toolResultsSeen(): string[] {
    return fake
      .calls('/chat/completions')
      .flatMap((request) => (request.body as { messages: Array<{ role: string; content: unknown }> }).messages)
      .filter((message) => message.role === 'tool')
      .map((message) => JSON.stringify(message.content));
  }

  /**
   * The agent exited 0, its tool's output reached the upstream as a tool result, and both model calls (the
   * tool call, then the answer) left an evidence record on `endpoint`, served by the catalog model.
   */
  async function expectFinishedTurn(run: AgentRun, toolOutput: string, endpoint: string): Promise<void> {
    expect({ exitCode: run.exitCode, stderr: run.stderr.slice(-2_000) }).toEqual({
      exitCode: 0,
      stderr: expect.any(String),
    });
    expect(toolResultsSeen().some((content) => content.includes(toolOutput))).toBe(true);
    const found = await eventually(
      () => gateway.admin('GET', `/admin/requests?key_id=${key.id}`),
      (list) => list.body.data.filter((record: { endpoint: string }) => record.endpoint === endpoint).length >= 2,
    );
    const records = found.body.data.filter((record: { endpoint: string }) => record.endpoint === endpoint);
    expect(
      records.map((record: { status: number; model_served: string }) => [record.status, record.model_served]),
    ).toEqual(records.map(() => [200, 'coder']));
  }

  (claude ? it : it.skip)(
    'Claude Code runs a Bash tool call and finishes',
    async () => {
      fake.script(
        {
          toolCalls: [
            { name: 'Bash', arguments: '{"command":"echo hi-from-claude","description":"Print a greeting"}' },
          ],
        },
        { text: 'done' },
      );
      const run = await runClaudeCode({
        baseUrl: gateway.baseUrl,
        apiKey: key.key,
        model: 'claude-opus-4-8',
        prompt: 'Run echo hi-from-claude with Bash, then say done',
        env: { CLAUDE_CODE_MAX_RETRIES: '1' },
        timeoutMs: 90_000,
      });
      await expectFinishedTurn(run, 'hi-from-claude', '/v1/messages');
      expect(JSON.parse(run.stdout)).toMatchObject({ is_error: false, result: expect.stringContaining('done') });
    },
    120_000,
  );

  (codex ? it : it.skip)(
    'Codex CLI runs a shell tool call and finishes',
    async () => {
      fake.script(
        { toolCalls: [{ name: 'exec_command', arguments: '{"cmd":"echo hi-from-codex"}' }] },
        { text: 'done' },
      );
      const run = await runCodex({
        baseUrl: gateway.baseUrl,
        apiKey: key.key,
        model: 'gpt-5.5',
        prompt: 'Run echo hi-from-codex, then say done',
        providerConfig: { request_max_retries: 0, stream_max_retries: 0 },
        timeoutMs: 90_000,
      });
      await expectFinishedTurn(run, 'hi-from-codex', '/v1/responses');
      expect(run.stdout).toContain('done');
    },
    120_000,
  );
});
