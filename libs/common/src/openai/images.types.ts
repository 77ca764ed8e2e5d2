/**
 * OpenAI's image generation wire format (`POST /v1/images/generations`), as far as the gateway reads it: the
 * fields it checks, prices or records. Every other field passes through to the upstream untouched.
 */
export interface ImageGenerationRequest {
  model: string;
  prompt: string;
  /** Images to generate, 1–10 (1 when absent). */
  n?: number;
  /** `WIDTHxHEIGHT` or `auto`; what the image is priced by. */
  size?: string;
  quality?: string;
  response_format?: 'url' | 'b64_json';
  style?: string;
  user?: string;
  [extra: string]: unknown;
}

export interface GeneratedImage {
  url?: string;
  b64_json?: string;
  revised_prompt?: string;
}

export interface ImagesResponse {
  created: number;
  data: GeneratedImage[];
  /** GPT image models report tokens; recorded when present, never what the image is priced by. */
  usage?: ImagesUsage;
  [extra: string]: unknown;
}

export interface ImagesUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  [extra: string]: unknown;
}
