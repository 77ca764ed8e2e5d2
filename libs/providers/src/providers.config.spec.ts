import { providersConfig } from './providers.config';

describe('providers settings', () => {
  const NAMES = ['UPSTREAM_SSE_MAX_EVENT_BYTES', 'UPSTREAM_MAX_DECOMPRESSED_BYTES', 'UPSTREAM_MAX_ANSWER_BYTES'];
  const original = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of NAMES) {
      if (original[name] === undefined) delete process.env[name];
      else process.env[name] = original[name];
    }
  });

  it('defaults to 8 MiB per event, 64 MiB inflated per answer or stream, and 16 MiB per non-stream completion', () => {
    for (const name of NAMES) delete process.env[name];
    expect(providersConfig()).toEqual({
      sseMaxEventBytes: 8 * 1024 * 1024,
      maxDecompressedBytes: 64 * 1024 * 1024,
      maxAnswerBytes: 16 * 1024 * 1024,
    });
  });

  it('takes other sizes in bytes', () => {
    process.env.UPSTREAM_SSE_MAX_EVENT_BYTES = '1048576';
    process.env.UPSTREAM_MAX_DECOMPRESSED_BYTES = '268435456';
    process.env.UPSTREAM_MAX_ANSWER_BYTES = '33554432';
    expect(providersConfig()).toEqual({
      sseMaxEventBytes: 1_048_576,
      maxDecompressedBytes: 268_435_456,
      maxAnswerBytes: 33_554_432,
    });
  });

  it('refuses a cap so small that legitimate events would fail, or not a number, naming the variable', () => {
    process.env.UPSTREAM_SSE_MAX_EVENT_BYTES = '1000';
    expect(() => providersConfig()).toThrow(/UPSTREAM_SSE_MAX_EVENT_BYTES/);
    delete process.env.UPSTREAM_SSE_MAX_EVENT_BYTES;
    process.env.UPSTREAM_MAX_DECOMPRESSED_BYTES = 'lots';
    expect(() => providersConfig()).toThrow(/UPSTREAM_MAX_DECOMPRESSED_BYTES/);
  });
});
