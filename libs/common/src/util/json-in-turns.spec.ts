import { stringifyInTurns } from './json-in-turns';

/** Slices of a few characters, so every value is cut everywhere. */
const tiny = (sliceChars: number) => ({ sliceChars, turnMs: 0 });

describe('JSON text in turns', () => {
  it.each([
    {
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello there' },
      ],
    },
    [1, 'two', null, true, { three: [3, 3, 3] }, [], {}],
    { skipped: undefined, fn: () => 1, kept: 'yes', nested: { undefinedInArray: [undefined, () => 1, 2] } },
    { when: new Date(0), text: 'plain \\ "quoted" \n\t\u0001 é 😀 \u2028 end', lone: '\ud83d and \ude00' },
    { emoji: '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀', long: 'x'.repeat(100) },
    JSON.parse('{"__proto__":{"a":[1,2,3,4,5]},"b":"after"}'),
  ])('writes %j exactly as JSON.stringify does, at every slice size', async (value) => {
    for (let sliceChars = 1; sliceChars <= 40; sliceChars++) {
      expect([sliceChars, await stringifyInTurns(value, tiny(sliceChars))]).toEqual([
        sliceChars,
        JSON.stringify(value),
      ]);
    }
  });

  it('agrees with JSON.stringify on random values', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const value = (depth: number): unknown => {
      const kind = depth > 5 ? 0 : Math.floor(random() * 4);
      if (kind === 0)
        return pick([0, -1.25, 1e21, true, false, null, undefined, '', 'a"b\\c', 'ünï 😀', 'x'.repeat(30)]);
      if (kind === 1) return Array.from({ length: Math.floor(random() * 6) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 6) }, (_, i) => [`k${i}`, value(depth + 1)]),
      );
    };
    for (let i = 0; i < 500; i++) {
      const v = value(0);
      expect(await stringifyInTurns(v, tiny(1 + (i % 50)))).toBe(JSON.stringify(v));
    }
  });

  it('refuses a cycle, as JSON.stringify does', async () => {
    const cyclic: Record<string, unknown> = { list: [1, 2, 3] };
    cyclic.self = cyclic;
    await expect(stringifyInTurns(cyclic, tiny(4))).rejects.toBeInstanceOf(TypeError);
  });

  it('gives other work turns of the event loop while it writes a large value', async () => {
    const value = { messages: Array.from({ length: 2_000 }, (_, i) => ({ role: 'user', content: `m${i}` })) };
    let turns = 0;
    let writing = true;
    const other = () => {
      turns++;
      if (writing) setImmediate(other);
    };
    setImmediate(other);
    const text = await stringifyInTurns(value, tiny(64));
    writing = false;
    expect(text).toBe(JSON.stringify(value));
    expect(turns).toBeGreaterThan(100);
  });

  it('writes a small value in one call', async () => {
    let turns = 0;
    const ticker = setImmediate(() => turns++);
    expect(await stringifyInTurns({ model: 'm' })).toBe('{"model":"m"}');
    expect(turns).toBe(0);
    clearImmediate(ticker);
  });
});
