import type { IncomingMessage } from 'node:http';

/** nginx's "client closed request": the client left before any response was sent. */
export const CLIENT_CLOSED_REQUEST = 499;

const REQUEST_TIMEOUT = 408;

/**
 * The status of a request whose response was never sent: 408 when the server cut the connection because the
 * request did not arrive whole within its request timeout (Node destroys the socket with
 * `ERR_HTTP_REQUEST_TIMEOUT`, after the connection's error handler wrote the 408 itself), else 499.
 */
export function unansweredStatus(request: IncomingMessage): number {
  const cause = request.socket?.errored as (Error & { code?: string }) | null | undefined;
  return cause?.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? REQUEST_TIMEOUT : CLIENT_CLOSED_REQUEST;
}
