import { JsonBodies, JsonSyntax } from './json-body';
import { JsonTooDeepError } from './json-outline';

class Malformed extends Error {}

/** JSON.parse with the protections the app's parser adds (no `__proto__`, no `constructor.prototype`). */
const syntax: JsonSyntax = {
  parse(text) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Malformed();
    }
    if (/"__proto__"\s*:|"constructor"\s*:\s*\{[^}]*"prototype"/.test(text)) throw new Malformed();
    return value;
  },
  malformed: () => new Malformed(),
};

/** Slices of a few characters, so that every test body is long and cut everywhere. */
const tiny = new JsonBodies(syntax, { maxDepth: 8, slicedAbove: 0, sliceChars: 6, turnMs: 0 });
const whole = new JsonBodies(syntax, { maxDepth: 8, slicedAbove: Infinity, sliceChars: 6, turnMs: 0 });

describe('JSON bodies', () => {
  it.each([
    '{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello there"}]}',
    '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]',
    ' \n { "a" : [ "x,]}[{" , "y\\"],{" , "\\\\" ] , "b" : { "c" : [ ] , "d" : { } } } \r\n',
    '{"long string":"abcdefghijklmnopqrstuvwxyz","n":-1.5e3,"t":true,"f":false,"z":null}',
    '{"dup":1,"other":[1,2,3,4,5,6,7,8],"dup":2}',
    '[[1,2,3,4,5,6],[7,8,9,10,11,12],{"k":[13,14,15,16,17]}]',
    '[              ]',
    '{               }',
    '"a string body longer than a slice"',
    '\ufeff{"bom":"first","then":[1,2,3,4,5,6,7,8,9]}',
    '{"constructor":{"not":"a prototype","list":[1,2,3,4,5,6]}}',
  ])('parses %j in slices exactly as in one go', async (text) => {
    expect(tiny.isLong(text)).toBe(true);
    expect(await tiny.parseSliced(text)).toEqual(JSON.parse(text.replace(/^\ufeff/, '')));
  });

  it('parses strings with escapes and surrogate pairs exactly, at every slice size', async () => {
    const text = JSON.stringify({
      s: 'plain \\ "quoted" \n\t\u0001 é 😀 \u2028 \\\\" end'.repeat(3),
      list: ['\\\\\\', '😀😀😀😀😀😀😀', 'ab\\"cd'],
      escaped: '{"\u00e9\ud83d\ude00\\u0041"}',
    });
    for (let sliceChars = 1; sliceChars <= 24; sliceChars++) {
      const bodies = new JsonBodies(syntax, { maxDepth: 8, slicedAbove: 0, sliceChars, turnMs: 0 });
      expect([sliceChars, await bodies.parseSliced(text)]).toEqual([sliceChars, JSON.parse(text)]);
    }
  });

  it('parses a long string in pieces, never cutting an escape, at every slice size', async () => {
    const escapes = ['\\\\', '\\"', '\\u00e9', '\\ud83d\\ude00', '\\n', '😀', 'é', 'ab', '\\/', '\\\\\\u0041'];
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const raw = Array.from({ length: 200 }, () => escapes[Math.floor(random() * escapes.length)]).join('');
    for (const text of [`"${raw}"`, `{"content":"${raw}","n":1}`, `["${raw}",2]`]) {
      for (let sliceChars = 1; sliceChars <= 16; sliceChars++) {
        const bodies = new JsonBodies(syntax, { maxDepth: 8, slicedAbove: 0, sliceChars, turnMs: 0 });
        expect([sliceChars, await bodies.parseSliced(text)]).toEqual([sliceChars, JSON.parse(text)]);
      }
    }
  });

  it.each(['"abcdefgh\\xij"', '"abcdefgh\\u00"', '"abcdefgh\nij"', '{"a":"abcdefgh\\u12G4ijkl"}'])(
    'refuses the malformed long string %j',
    async (text) => {
      await expect(tiny.parseSliced(text)).rejects.toBeInstanceOf(Malformed);
    },
  );

  it('keeps the key order and the last of duplicate keys, as JSON.parse does', async () => {
    const text = '{"b":[1,2,3,4,5,6,7],"a":1,"b":[8,9,10,11,12,13]}';
    expect(Object.entries((await tiny.parseSliced(text)) as object)).toEqual(Object.entries(JSON.parse(text)));
  });

  it.each([
    '[1,2,3,4,5,6,7,8,]',
    '[1,2,3,,4,5,6,7,8]',
    '[1,2,3,4,5,6,7,8}',
    '{"a":[1,2,3,4,5,6,7,8]} x',
    '{"a":[1,2,3,4,5,6,7,8]',
    '{"a" [1,2,3,4,5,6,7,8]}',
    '[1,2,3,4,5,6,7,8]]',
    '{"a":"unterminated,1,2,3,4,5,6}',
    '[1,2,3,4,5,6,\u00a07,8]',
  ])('refuses malformed %j', async (text) => {
    await expect(tiny.parseSliced(text)).rejects.toBeInstanceOf(Malformed);
    expect(() => whole.parse(text)).toThrow(Malformed);
  });

  it.each([
    '{"__proto__":{"polluted":[1,2,3,4,5,6,7,8]}}',
    '{"constructor":{"prototype":{"polluted":[1,2,3,4,5,6,7,8]}}}',
    '{"x":[1,2,3,4,5,6],"__proto__":{"polluted":true}}',
  ])('refuses prototype poisoning in slices: %j', async (text) => {
    await expect(tiny.parseSliced(text)).rejects.toBeInstanceOf(Malformed);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses nesting past the limit before parsing, in one go and in slices', async () => {
    const eight = '[[[[[[[[1,2,3,4,5,6,7,8]]]]]]]]';
    expect(whole.parse(eight)).toEqual(JSON.parse(eight));
    expect(await tiny.parseSliced(eight)).toEqual(JSON.parse(eight));
    const nine = `[${eight}]`;
    expect(() => whole.parse(nine)).toThrow(JsonTooDeepError);
    await expect(tiny.parseSliced(nine)).rejects.toBeInstanceOf(JsonTooDeepError);
    // Brackets inside strings are text, not nesting.
    expect(whole.parse(`{"a":"${'['.repeat(100)}"}`)).toEqual({ a: '['.repeat(100) });
    expect(whole.parse('{"a":"\\\\","b":[[[[[[1]]]]]]}')).toEqual({ a: '\\', b: [[[[[[1]]]]]] });
  });

  it('agrees with JSON.parse on random bodies and on every one-character corruption of them', async () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const value = (depth: number): unknown => {
      const kind = depth > 5 ? 0 : Math.floor(random() * 4);
      if (kind === 0)
        return pick([0, -1.25, 1e21, true, false, null, '', 'a,b]}', 'q"uote\\', 'ünï 😀', '\u0041\n\\"']);
      if (kind === 1) return Array.from({ length: Math.floor(random() * 5) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, (_, i) => [`k${i % 3}`, value(depth + 1)]),
      );
    };
    const outcome = async (text: string, bodies: JsonBodies) => {
      try {
        return { value: await bodies.parseSliced(text) };
      } catch (error) {
        return { error: error instanceof Malformed ? 'malformed' : String(error) };
      }
    };
    for (let i = 0; i < 300; i++) {
      const text = JSON.stringify(value(0), null, pick([0, 1, 2]));
      const bodies = new JsonBodies(syntax, { maxDepth: 8, slicedAbove: 0, sliceChars: 1 + (i % 40), turnMs: 0 });
      expect(await outcome(text, bodies)).toEqual({ value: JSON.parse(text) });
      const at = Math.floor(random() * text.length);
      const corrupt = text.slice(0, at) + pick(['', ',', ']', '}', '[', '{', '"', ' ', ':']) + text.slice(at + 1);
      let expected: object;
      try {
        expected = { value: JSON.parse(corrupt) };
      } catch {
        expected = { error: 'malformed' };
      }
      expect([corrupt, await outcome(corrupt, bodies)]).toEqual([corrupt, expected]);
    }
  });

  it.each([
    ['many small objects', { messages: Array.from({ length: 2_000 }, (_, i) => ({ role: 'user', content: `m${i}` })) }],
    ['one long string', { messages: [{ role: 'user', content: 'Lorem ipsum "dolor" sit. '.repeat(2_000) }] }],
  ])('gives other work turns of the event loop while it parses a long body of %s', async (_case, body) => {
    const bodies = new JsonBodies(syntax, { maxDepth: 8, slicedAbove: 0, sliceChars: 64, turnMs: 0 });
    const text = JSON.stringify(body);
    // Another task that wants a turn of the event loop after each of its own.
    let turns = 0;
    let parsing = true;
    const other = () => {
      turns++;
      if (parsing) setImmediate(other);
    };
    setImmediate(other);
    const parsed = await bodies.parseSliced(text);
    parsing = false;
    expect(parsed).toEqual(JSON.parse(text));
    expect(turns).toBeGreaterThan(100);
  });
});
