import Redis from 'ioredis';
import { packNumbers } from './packed-numbers';

describe('packNumbers', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  afterAll(() => redis.quit());

  it('reaches a Redis script as the same numbers, at every size boundary and as floats', async () => {
    const values = [0, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 1_733_370_000_123, 0.5, -3, 1e15];
    for (const list of [values, Array.from({ length: 70_000 }, (_, i) => i % 300)]) {
      const json = (await redis.eval('return cjson.encode(cmsgpack.unpack(ARGV[1]))', 0, packNumbers(list))) as string;
      expect(JSON.parse(json)).toEqual(list);
    }
  });

  it('takes one byte for a small integer', () => {
    expect([...packNumbers([1, 2, 3])]).toEqual([0x93, 1, 2, 3]);
  });
});
