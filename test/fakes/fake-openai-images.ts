import { openApiSchemas } from '../utils/openapi-schema';

/**
 * `POST /v1/images/generations` as OpenAI serves it, for the fake OpenAI (and Azure) upstream. The request is
 * validated as the real API does: against `CreateImageRequest` of OpenAI's published OpenAPI document (when it
 * is on this machine), then the rules the document states in prose — no unknown fields, `n: 1` and its own
 * sizes for `dall-e-3`, `dall-e-2`'s sizes, no `response_format` or `style` for the GPT image models.
 * `dall-e-*` answer URLs (or base64 with `response_format: b64_json`), `dall-e-3` with a `revised_prompt`; GPT
 * image models always answer base64 with token usage.
 */

/** The answer: a status and a JSON body. */
export interface ImagesAnswer {
  status: number;
  body: unknown;
}

const FIELDS = new Set([
  'prompt',
  'model',
  'n',
  'quality',
  'response_format',
  'output_format',
  'output_compression',
  'stream',
  'partial_images',
  'size',
  'moderation',
  'background',
  'style',
  'user',
]);
const DALL_E_2_SIZES = ['256x256', '512x512', '1024x1024'];
const DALL_E_3_SIZES = ['1024x1024', '1792x1024', '1024x1792'];
const GPT_IMAGE_SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'];
/** A 1×1 PNG, the picture every fake image is. */
export const FAKE_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mNgaGgAAAGEAQFocvOPAAAAAElFTkSuQmCC';

/** Where the fake says its URL-format images are (a client never fetches them in tests). */
export const FAKE_IMAGE_URL_PREFIX = 'https://fake-images.example/generated/';

export function generateImages(body: any, usage: unknown): ImagesAnswer {
  const invalid = invalidImageRequest(body);
  if (invalid) {
    return {
      status: 400,
      body: { error: { message: invalid.message, type: 'invalid_request_error', param: invalid.param, code: null } },
    };
  }
  const model = String(body.model ?? 'dall-e-2');
  const n: number = body.n ?? 1;
  const gptImage = model.startsWith('gpt-image');
  const created = 1_767_225_600;
  const data = Array.from({ length: n }, (_, i) => {
    const image: Record<string, string> =
      gptImage || body.response_format === 'b64_json'
        ? { b64_json: FAKE_PNG_BASE64 }
        : { url: `${FAKE_IMAGE_URL_PREFIX}img-${created}-${i}.png?sig=fake` };
    if (model === 'dall-e-3') image.revised_prompt = `A detailed rendering of: ${body.prompt}`;
    return image;
  });
  if (!gptImage) return { status: 200, body: { created, data } };
  const counted = {
    input_tokens: 50,
    output_tokens: 272 * n,
    total_tokens: 50 + 272 * n,
    input_tokens_details: { text_tokens: 50, image_tokens: 0 },
  };
  return {
    status: 200,
    body: {
      created,
      data,
      background: 'opaque',
      output_format: body.output_format ?? 'png',
      size: body.size && body.size !== 'auto' ? body.size : '1024x1024',
      quality: 'medium',
      ...(usage === null ? {} : { usage: usage ?? counted }),
    },
  };
}

function invalidImageRequest(body: any): { message: string; param: string | null } | undefined {
  if (!body || typeof body !== 'object')
    return { message: 'We could not parse the JSON body of your request.', param: null };
  const unknown = Object.keys(body).find((field) => !FIELDS.has(field));
  if (unknown) return { message: `Unrecognized request argument supplied: ${unknown}`, param: null };
  const schemaErrors = openApiSchemas()?.errors('CreateImageRequest', body) ?? [];
  if (schemaErrors.length > 0) return { message: `Invalid request: ${schemaErrors.join('; ')}`, param: null };
  if (typeof body.prompt !== 'string' || body.prompt === '')
    return { message: "Missing required parameter: 'prompt'.", param: 'prompt' };
  const model = String(body.model ?? 'dall-e-2');
  const size = body.size ?? undefined;
  if (model === 'dall-e-3') {
    if ((body.n ?? 1) !== 1) return { message: 'Invalid n: dall-e-3 only supports n=1.', param: 'n' };
    if (size !== undefined && !DALL_E_3_SIZES.includes(size))
      return { message: `Invalid size '${size}'. Supported: ${DALL_E_3_SIZES.join(', ')}.`, param: 'size' };
  } else if (model === 'dall-e-2') {
    if (size !== undefined && !DALL_E_2_SIZES.includes(size))
      return { message: `Invalid size '${size}'. Supported: ${DALL_E_2_SIZES.join(', ')}.`, param: 'size' };
    if (body.style !== undefined) return { message: "Unknown parameter: 'style'.", param: 'style' };
  } else if (model.startsWith('gpt-image')) {
    if (size !== undefined && !GPT_IMAGE_SIZES.includes(size))
      return { message: `Invalid size '${size}'. Supported: ${GPT_IMAGE_SIZES.join(', ')}.`, param: 'size' };
    if (body.response_format !== undefined)
      return { message: "Unknown parameter: 'response_format'.", param: 'response_format' };
    if (body.style !== undefined) return { message: "Unknown parameter: 'style'.", param: 'style' };
  } else {
    return { message: `The model '${model}' does not exist or you do not have access to it.`, param: 'model' };
  }
  return undefined;
}
