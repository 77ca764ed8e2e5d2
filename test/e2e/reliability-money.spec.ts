import { DataSource } from 'typeorm';
import { RequestRecordWriter } from '@app/audit';
import { FakeAnthropicServer } from '../fakes/fake-anthropic.server';
import { FakeGeminiServer } from '../fakes/fake-gemini.server';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-money-provider';
// $2 in, $8 out per million tokens: 2 and 8 micro-USD per token.
const PRICING = { input_per_mtok: 2, output_per_mtok: 8 };
const MESSAGES = [{ role: 'user', content: 'hi' }];
const MAX_TOKENS = 100;
/**
 * What one chat (or Messages) request reserves: its prompt bounded by bytes (2) plus framing (4 per message
 * + 3) = 9 tokens at $2/Mtok, plus max_tokens at $8/Mtok: 18 + 800 micro-USD.
 */
const CHAT_RESERVATION = 818;
/** An embeddings request for "hello": 5 prompt tokens at most, no output: 10 micro-USD. */
const EMBEDDINGS_RESERVATION = 10;
/** The most tokens one count may claim before it is treated as a broken report (see docs/reliability.md). */
const MAX_USAGE_TOKENS = 10_000_000;

interface UsageCase {
  name: string;
  /** What the upstream reports, in its own format; null: no usage at all. */
  usage: unknown;
  source: 'provider' | 'clamped' | 'estimated';
  /** The tokens the evidence record keeps (the corrected counts when clamped). */
  tokens?: { prompt_tokens: number; completion_tokens: number };
  charged: number;
  costStatus: string;
}

/** Every way an upstream can get usage wrong, and the ways it can get it right, in OpenAI's format. */
const OPENAI_CHAT_CASES: UsageCase[] = [
  {
    name: 'negative counts',
    usage: { prompt_tokens: -1_000_000, completion_tokens: 5, total_tokens: -999_995 },
    source: 'clamped',
    tokens: { prompt_tokens: 0, completion_tokens: 5 },
    charged: CHAT_RESERVATION,
    costStatus: 'usage_invalid',
  },
  {
    name: 'fractional counts',
    usage: { prompt_tokens: 10.5, completion_tokens: 3.25, total_tokens: 13.75 },
    source: 'clamped',
    tokens: { prompt_tokens: 11, completion_tokens: 4 },
    charged: CHAT_RESERVATION,
    costStatus: 'usage_invalid',
  },
  {
    name: 'NaN as a string',
    usage: { prompt_tokens: 'NaN', completion_tokens: '7', total_tokens: 'NaN' },
    source: 'clamped',
    tokens: { prompt_tokens: 0, completion_tokens: 0 },
    charged: CHAT_RESERVATION,
    costStatus: 'usage_invalid',
  },
  {
    name: '1e12 tokens',
    usage: { prompt_tokens: 1e12, completion_tokens: 1e12, total_tokens: 2e12 },
    source: 'clamped',
    tokens: { prompt_tokens: MAX_USAGE_TOKENS, completion_tokens: MAX_USAGE_TOKENS },
    charged: CHAT_RESERVATION,
    costStatus: 'usage_invalid',
  },
  { name: 'no usage', usage: null, source: 'estimated', charged: CHAT_RESERVATION, costStatus: 'usage_unknown' },
  {
    name: 'partial usage (no completion count)',
    usage: { prompt_tokens: 9 },
    source: 'clamped',
    tokens: { prompt_tokens: 9, completion_tokens: 0 },
    charged: CHAT_RESERVATION,
    costStatus: 'usage_invalid',
  },
  {
    name: 'a valid report',
    usage: { prompt_tokens: 9, completion_tokens: 20, total_tokens: 29 },
    source: 'provider',
    tokens: { prompt_tokens: 9, completion_tokens: 20 },
    charged: 9 * 2 + 20 * 8,
    costStatus: 'priced',
  },
  {
    name: 'a valid report above the reservation (an output cap not honoured)',
    usage: { prompt_tokens: 9, completion_tokens: 5_000, total_tokens: 5_009 },
    source: 'provider',
    tokens: { prompt_tokens: 9, completion_tokens: 5_000 },
    charged: 9 * 2 + 5_000 * 8,
    costStatus: 'over_reservation',
  },
];

const OPENAI_EMBEDDINGS_CASES: UsageCase[] = [
  {
    name: 'negative counts',
    usage: { prompt_tokens: -5, total_tokens: -5 },
    source: 'clamped',
    tokens: { prompt_tokens: 0, completion_tokens: 0 },
    charged: EMBEDDINGS_RESERVATION,
    costStatus: 'usage_invalid',
  },
  { name: 'no usage', usage: null, source: 'estimated', charged: EMBEDDINGS_RESERVATION, costStatus: 'usage_unknown' },
];

/** Anthropic's counters, as its mapper once let them through: summed away, or skipped in a stream. */
const ANTHROPIC_CASES: UsageCase[] = [
  {
    name: 'a negative cache write that a plain sum hides (1000 + -1000 = 0)',
    usage: { input_tokens: 1_000, cache_creation_input_tokens: -1_000, output_tokens: 5 },
    source: 'clamped',
    charged: CHAT_RESERVATION,
    costStatus: 'usage_invalid',
  },
  {
    name: 'an output count that is not a number (a stream once kept the stale 1 of message_start)',
    usage: { output_tokens: 'NaN' },
    source: 'clamped',
    charged: CHAT_RESERVATION,
    costStatus: 'usage_invalid',
  },
];
const GEMINI_HIDDEN_NEGATIVE: UsageCase = {
  name: 'a negative candidates count',
  usage: { promptTokenCount: 9, candidatesTokenCount: -40, thoughtsTokenCount: 40, totalTokenCount: 9 },
  source: 'clamped',
  charged: CHAT_RESERVATION,
  costStatus: 'usage_invalid',
};

/**
 * An upstream that misreports usage on a priced model under a budget: the client still gets its answer, the
 * budget is charged by a rule (never refunded, never leaked), the evidence record is written and says where
 * its counts came from, and the ledger adds up to what the budget says was spent.
 */
describe('reliability: money no upstream usage report can corrupt', () => {
  // Every body received is checked against OpenAI's published OpenAPI document (Messages bodies are Anthropic's).
  const wire = wireCheck();
  const openai = new FakeOpenAiServer(PROVIDER_KEY);
  const anthropic = new FakeAnthropicServer(PROVIDER_KEY);
  const gemini = new FakeGeminiServer({ apiKey: PROVIDER_KEY });
  let gateway: TestGateway;
  let caller: { key: string; id: string };
  let sequence = 0;

  beforeAll(async () => {
    const [openaiUrl, anthropicUrl, geminiUrl] = await Promise.all([openai.start(), anthropic.start(), gemini.start()]);
    const priced = (name: string, provider: string, model: string) => ({
      name,
      pricing: PRICING,
      deployments: [{ provider, model }],
    });
    gateway = await startTestGateway({
      catalog: {
        providers: [
          { id: 'openai', type: 'openai', base_url: `${openaiUrl}/v1`, api_key: PROVIDER_KEY },
          { id: 'anthropic', type: 'anthropic', base_url: anthropicUrl, api_key: PROVIDER_KEY },
          { id: 'gemini', type: 'gemini', base_url: geminiUrl, api_key: PROVIDER_KEY },
        ],
        models: [
          priced('gpt-priced', 'openai', 'gpt-priced'),
          { ...priced('embed-priced', 'openai', 'embed-priced'), kind: 'embedding' },
          priced('claude-priced', 'anthropic', 'claude-sonnet-4-5'),
          priced('gemini-priced', 'gemini', 'gemini-2.5-flash'),
        ],
      },
      env: { QUOTA_FLUSH_INTERVAL_MS: '100', EVIDENCE_FLUSH_INTERVAL_MS: '50' },
    });
  });

  // A key of its own per case, with a $1 budget: one case's charge cannot decide another's admission.
  beforeEach(async () => {
    caller = await gateway.createKey();
    expect(
      (await gateway.admin('PUT', `/admin/keys/${caller.id}/budget`, { limit_usd: 1, period: 'total' })).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([openai.stop(), anthropic.stop(), gemini.stop()]);
  });

  const balance = async () => (await gateway.admin('GET', `/admin/keys/${caller.id}/balance`)).body;
  /** The balance once every hold is settled and written (reserved back at zero). */
  const settledBalance = () =>
    eventually(
      () => balance(),
      (body) => body.reserved_usd === 0,
    );
  const query = (sql: string, params: unknown[]) => gateway.gateway.app.get(DataSource).query(sql, params);
  const ledgerOf = (requestId: string) =>
    query(`SELECT cost_micros::int AS cost, cost_status FROM ledger_entries WHERE request_id = $1`, [requestId]);
  const ledgerSum = async () =>
    Number(
      (
        await query(`SELECT COALESCE(SUM(cost_micros), 0)::bigint AS sum FROM ledger_entries WHERE key_id = $1`, [
          caller.id,
        ])
      )[0].sum,
    );

  async function send(path: string, body: object): Promise<{ requestId: string; status: number; text: string }> {
    const requestId = `money-${++sequence}-${Date.now()}`;
    const response = await wire.fetch(`${gateway.baseUrl}/v1/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify(body),
    });
    return { requestId, status: response.status, text: await response.text() };
  }

  /** The answer arrived whole: a stream to its last event, a body the client can parse. */
  const servedWhole = (text: string, stream: boolean) =>
    stream ? /data: \[DONE\]\n\n$|event: message_stop\n/.test(text) : typeof JSON.parse(text) === 'object';

  /** Runs one case: the answer, the budget before and after, the ledger entry and the evidence record. */
  async function check(
    kase: UsageCase,
    path: string,
    body: { stream?: boolean; [field: string]: unknown },
  ): Promise<void> {
    const before = await settledBalance();
    const { requestId, status, text } = await send(path, body);

    expect({ status, served: servedWhole(text, body.stream === true) }).toEqual({ status: 200, served: true });
    const after = await settledBalance();
    expect(after.reserved_usd).toBe(0);
    // Never refunded: the spend grows by exactly the charge the rule gives, and the ledger holds it.
    expect(Math.round((after.spent_usd - before.spent_usd) * 1e6)).toBe(kase.charged);
    expect(await ledgerOf(requestId)).toEqual([{ cost: kase.charged, cost_status: kase.costStatus }]);
    expect(await ledgerSum()).toBe(Math.round(after.spent_usd * 1e6));

    const records = await recordsOf(gateway, requestId);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({ status: 200, usage_source: kase.source, cost_micro_usd: kase.charged });
    if (kase.tokens) expect(record).toMatchObject(kase.tokens);
    for (const column of ['prompt_tokens', 'cached_tokens', 'completion_tokens', 'reasoning_tokens']) {
      expect(Number.isSafeInteger(record[column]) && record[column] >= 0).toBe(true);
    }
  }

  const chatBody = (model: string, stream: boolean) => ({ model, messages: MESSAGES, max_tokens: MAX_TOKENS, stream });

  for (const stream of [false, true]) {
    const mode = stream ? 'streamed' : 'not streamed';

    describe(`OpenAI chat, ${mode}`, () => {
      for (const kase of OPENAI_CHAT_CASES) {
        it(`${kase.name}: answered, charged ${kase.charged} micro-USD (${kase.costStatus}), recorded as ${kase.source}`, async () => {
          openai.script({ usage: kase.usage });
          await check(kase, 'chat/completions', chatBody('gpt-priced', stream));
        });
      }
    });

    describe(`Anthropic, ${mode}`, () => {
      for (const path of ['chat/completions', 'messages']) {
        for (const kase of ANTHROPIC_CASES) {
          it(`${path}, ${kase.name}: answered, charged the reservation, recorded as clamped`, async () => {
            anthropic.script({ usage: kase.usage as object });
            await check(kase, path, chatBody('claude-priced', stream));
          });
        }
      }
    });

    describe(`Gemini, ${mode}`, () => {
      it(`${GEMINI_HIDDEN_NEGATIVE.name}: answered, charged the reservation, recorded as clamped`, async () => {
        gemini.enqueue({ reply: { usage: GEMINI_HIDDEN_NEGATIVE.usage as object } });
        await check(GEMINI_HIDDEN_NEGATIVE, 'chat/completions', chatBody('gemini-priced', stream));
      });
    });
  }

  it('settles before and apart from the evidence: with its table gone the charge is made, the record lands later', async () => {
    const before = await settledBalance();
    const writer = gateway.gateway.app.get(RequestRecordWriter);
    const failedWrites = writer.stats.failedWrites;
    await query('ALTER TABLE request_records RENAME TO request_records_away', []);
    let sent: Awaited<ReturnType<typeof send>>;
    try {
      openai.script({ usage: { prompt_tokens: 10.5, completion_tokens: 3 } });
      sent = await send('chat/completions', chatBody('gpt-priced', false));
      expect(sent.status).toBe(200);
      const after = await settledBalance();
      expect(after.reserved_usd).toBe(0);
      expect(Math.round((after.spent_usd - before.spent_usd) * 1e6)).toBe(CHAT_RESERVATION);
      expect(await ledgerOf(sent.requestId)).toEqual([{ cost: CHAT_RESERVATION, cost_status: 'usage_invalid' }]);
      // The record's insert was tried and failed meanwhile.
      await eventually(
        async () => writer.stats.failedWrites,
        (failed) => failed > failedWrites,
      );
      expect(writer.stats.failedWrites).toBeGreaterThan(failedWrites);
    } finally {
      await query('ALTER TABLE request_records_away RENAME TO request_records', []);
    }
    // The writer kept the record and retries (backoff up to 5 s): exactly one lands.
    const records = await recordsOf(gateway, sent.requestId, 20_000);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ usage_source: 'clamped', prompt_tokens: 11, cost_micro_usd: CHAT_RESERVATION });
  });

  it.each([
    ['OpenAI', 'gpt-priced', () => openai.script({ usage: { prompt_tokens: 10.5, completion_tokens: 'NaN' } })],
    [
      'Anthropic',
      'claude-priced',
      () => anthropic.script({ usage: { input_tokens: 11, output_tokens: 'NaN' } as object }),
    ],
  ])(
    '%s: the client gets the corrected counts of a broken report, in a body and in a stream it asked usage of',
    async (_name, model, misreport) => {
      const corrected = { prompt_tokens: 11, completion_tokens: 0, total_tokens: 11 };
      misreport();
      const whole = await send('chat/completions', chatBody(model, false));
      expect(JSON.parse(whole.text).usage).toMatchObject(corrected);
      misreport();
      const streamed = await send('chat/completions', {
        ...chatBody(model, true),
        stream_options: { include_usage: true },
      });
      const chunks = streamed.text
        .split('\n\n')
        .filter((event) => event.startsWith('data: {'))
        .map((event) => JSON.parse(event.slice('data: '.length)));
      expect(chunks.at(-1).usage).toMatchObject(corrected);
    },
  );

  describe('OpenAI embeddings', () => {
    for (const kase of OPENAI_EMBEDDINGS_CASES) {
      it(`${kase.name}: answered, charged ${kase.charged} micro-USD (${kase.costStatus}), recorded as ${kase.source}`, async () => {
        openai.script({ usage: kase.usage });
        await check(kase, 'embeddings', { model: 'embed-priced', input: 'hello' });
      });
    }
  });
});
