import { ImageGenerationRequest } from '@app/common';
import { invalid, requireModel, requireObject } from '../pipeline/body-checks';

/** OpenAI's bound on `n`; the budget is reserved for this many images at most. */
const MAX_IMAGES = 10;
/** `size` is kept in the evidence record and prices the request; OpenAI's sizes are a dozen characters. */
const MAX_SIZE_CHARS = 32;
const RESPONSE_FORMATS = new Set(['url', 'b64_json']);

/**
 * Checks what the gateway relies on: `n` and `size` price the request, `prompt` is required upstream anyway
 * and cheaper refused here. Every other field (quality, style, background, output_format, …) passes through
 * untouched. A `null` is OpenAI's "the default", as for the upstream.
 */
export function parseImageRequest(body: unknown): ImageGenerationRequest {
  const request = requireObject(body);
  requireModel(request);
  if (typeof request.prompt !== 'string' || request.prompt.trim() === '') {
    throw invalid('"prompt" is required: a text description of the image.', 'prompt');
  }
  const { n, size, response_format: format, stream } = request;
  if (n !== undefined && n !== null && !(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_IMAGES)) {
    throw invalid(`"n" must be an integer from 1 to ${MAX_IMAGES}.`, 'n');
  }
  if (
    size !== undefined &&
    size !== null &&
    (typeof size !== 'string' || size === '' || size.length > MAX_SIZE_CHARS)
  ) {
    throw invalid('"size" must be a size such as "1024x1024", or "auto".', 'size');
  }
  if (format !== undefined && format !== null && !RESPONSE_FORMATS.has(format as string)) {
    throw invalid('"response_format" must be "url" or "b64_json".', 'response_format');
  }
  if (stream === true) {
    throw invalid(
      'Streamed image generation (partial images) is not supported by this gateway; omit "stream".',
      'stream',
    );
  }
  return request as ImageGenerationRequest;
}
