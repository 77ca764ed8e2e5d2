import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { GatewayError } from '@app/common';

/** What a request cut by the request timeout was told; its evidence record says the same. */
export const REQUEST_TIMEOUT_ERROR = new GatewayError(
  'request_timeout',
  'The request did not arrive whole within the request timeout (REQUEST_TIMEOUT_MS); the connection is closed.',
);

/**
 * Fastify's `clientErrorHandler`: the answer to a connection whose request cannot be read. There is no
 * response object to answer with, so the answer goes to the socket itself, in OpenAI's error shape, and the
 * connection is closed: 408 for a request whose headers and body did not arrive within REQUEST_TIMEOUT_MS (a
 * client trickling bytes cannot hold a connection), 431 for oversized headers, 400 for anything else.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = clientError(error);
  if (socket.writable) {
    const body = JSON.stringify(answer.toBody());
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  // Destroyed with the error: the record of a request cut mid-body reads the timeout from its socket.
  socket.destroy(error);
}

function clientError(error: Error & { code?: string }): GatewayError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return REQUEST_TIMEOUT_ERROR;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new GatewayError('request_too_large', 'The request headers are too large.', { status: 431 });
  }
  return new GatewayError('invalid_request_error', 'The request is not valid HTTP/1.1.');
}
