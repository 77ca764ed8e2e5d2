import type { GeminiPart } from './gemini.types';

/** Image types Gemini accepts, by file extension, for `http(s)` image URLs passed as `fileData`. */
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

/**
 * An OpenAI `image_url` as a Gemini part: a data URL is inlined; an `http(s)` URL becomes `fileData`, which
 * needs a MIME type, so only URLs whose path ends in a known image extension qualify. Anything else gives
 * `undefined`, and the caller reports the image as dropped.
 */
export function imagePart(url: string): GeminiPart | undefined {
  if (/^data:/i.test(url)) return dataUrlPart(url);
  if (!/^https?:\/\//i.test(url)) return undefined;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const mimeType = IMAGE_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()];
  return mimeType ? { fileData: { mimeType, fileUri: url } } : undefined;
}

/** `data:<mime>[;base64],<payload>` → `inlineData`; Gemini wants base64, so a plain payload is encoded. */
export function dataUrlPart(url: string): GeminiPart | undefined {
  const match = /^data:([^;,]+)([^,]*),(.*)$/is.exec(url);
  if (!match) return undefined;
  const [, mimeType, parameters, payload] = match;
  if (/;base64$/i.test(parameters)) return { inlineData: { mimeType: mimeType.toLowerCase(), data: payload } };
  try {
    return {
      inlineData: {
        mimeType: mimeType.toLowerCase(),
        data: Buffer.from(decodeURIComponent(payload)).toString('base64'),
      },
    };
  } catch {
    return undefined;
  }
}
