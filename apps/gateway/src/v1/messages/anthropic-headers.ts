import type { FastifyRequest } from 'fastify';
import type { NativeMessagesHeaders } from '@app/providers';

/** The client's Messages API version and betas, for native upstreams (repeated beta headers joined). */
export function anthropicHeaders(request: FastifyRequest): NativeMessagesHeaders {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  return { 'anthropic-version': header('anthropic-version'), 'anthropic-beta': header('anthropic-beta') };
}
