import { z } from 'zod';

/**
 * Headers the HTTP client writes itself from the request's framing: undici refuses a request that sets them, so
 * a provider configured with one would fail every call.
 */
const CLIENT_HEADERS = new Set(['content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect']);

/** Fields every provider entry has; each adapter kind extends this with its own. */
export const baseProviderSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-" only'),
  /** Extra headers sent on every upstream call (e.g. OpenAI-Organization). */
  headers: z
    .record(z.string(), z.string())
    .refine((headers) => !Object.keys(headers).some((name) => CLIENT_HEADERS.has(name.toLowerCase())), {
      message: `may not set ${[...CLIENT_HEADERS].join(', ')}: the HTTP client writes them from the request itself`,
    })
    .optional(),
  max_sockets: z.number().int().positive().default(512),
});

export const httpProviderFields = {
  base_url: z.url().transform((url) => url.replace(/\/+$/, '')),
  /** Usually `${ENV_VAR}`; never logged. */
  api_key: z.string().min(1).optional(),
};
