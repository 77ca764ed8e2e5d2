import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { FastifyRequest } from 'fastify';
import { readBodyText } from './body-text';

/** A request whose body arrives through `payload`, with the route's body limit and the headers given. */
function upload(limit: number, headers: Record<string, string> = {}) {
  const payload = new PassThrough();
  const request = { routeOptions: { bodyLimit: limit }, headers } as unknown as FastifyRequest;
  const text = new Promise<string>((resolve, reject) =>
    readBodyText(request, payload as unknown as IncomingMessage, { decodeAbove: 8, pieceBytes: 6 }, (error, body) =>
      error ? reject(error) : resolve(body!),
    ),
  );
  return { payload, text };
}

describe('readBodyText', () => {
  afterEach(() => jest.restoreAllMocks());

  it('decodes a small body in one call at its end', async () => {
    const write = jest.spyOn(StringDecoder.prototype, 'write');
    const { payload, text } = upload(1_000);
    payload.write('{"é":');
    payload.end('1}');
    expect(await text).toBe('{"é":1}');
    expect(write).not.toHaveBeenCalled();
  });

  it('decodes a large body piece by piece as it arrives, characters split between pieces included', async () => {
    const write = jest.spyOn(StringDecoder.prototype, 'write');
    const body = Buffer.from('{"text":"Grüß dich 😀, ça va? 😀😀"}');
    const { payload, text } = upload(1_000);
    // Three-byte reads cut the two-byte and four-byte characters everywhere; pieces are decoded every 6 bytes.
    const reads: Buffer[] = [];
    for (let at = 0; at < body.length; at += 3) reads.push(body.subarray(at, at + 3));
    for (const read of reads.slice(0, 6)) payload.write(read);
    await new Promise(setImmediate);
    // Past the 8 bytes kept whole, before the body's end: what arrived so far is decoded already, in pieces.
    expect(write).toHaveBeenCalledTimes(2);
    expect(write.mock.calls.map(([bytes]) => (bytes as Buffer).length)).toEqual([9, 6]);
    for (const read of reads.slice(6)) payload.write(read);
    payload.end();
    expect(await text).toBe(body.toString('utf8'));
    expect(Buffer.concat(write.mock.calls.map(([bytes]) => bytes as Buffer))).toEqual(body);
  });

  it('refuses a body past the route limit by its content-length before reading, or as it arrives', async () => {
    const declared = upload(10, { 'content-length': '11' });
    await expect(declared.text).rejects.toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    const chunked = upload(10);
    chunked.payload.write('{"a":"12345');
    await expect(chunked.text).rejects.toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
  });

  it('refuses a body that does not match its content-length', async () => {
    const { payload, text } = upload(1_000, { 'content-length': '5' });
    payload.end('{}');
    await expect(text).rejects.toMatchObject({ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 });
  });

  it('hands on a stream error (a client hanging up mid-upload) as a client error', async () => {
    const { payload, text } = upload(1_000);
    payload.write('{"a":');
    payload.destroy(new Error('aborted'));
    await expect(text).rejects.toMatchObject({ message: 'aborted', statusCode: 400 });
  });
});
