import type { ServerResponse } from 'node:http';
import { GatewayError, RequestContext } from '@app/common';

/**
 * Waits until the client has taken what is waiting for it (`drain` while writing, `finish` once the response
 * has ended) or has gone. A client that takes not one byte for `stallMs` has stopped reading: it is cut, and
 * its record says `client_stalled`. Closing the response aborts the upstream call as any disconnect does.
 * A slow reader is not a stalled one: the limit starts again whenever the bytes waiting for it went down.
 */
export function clientTakes(
  response: ServerResponse,
  progress: 'drain' | 'finish',
  context: RequestContext,
  stallMs: number,
): Promise<void> {
  return new Promise((resolve) => {
    let waiting = response.writableLength;
    const done = () => {
      clearTimeout(timer);
      response.off(progress, done);
      response.off('close', done);
      resolve();
    };
    const check = () => {
      const now = response.writableLength;
      if (now < waiting) {
        waiting = now;
        timer = setTimeout(check, stallMs);
        return;
      }
      context.error = new GatewayError(
        'client_stalled',
        `The client took none of the response for ${stallMs} ms (CLIENT_STALL_TIMEOUT_MS); the connection was closed.`,
      );
      response.destroy();
      done();
    };
    let timer = setTimeout(check, stallMs);
    response.once(progress, done);
    response.once('close', done);
  });
}

/** After the handler: a response that has ended but is still flushing is cut if its client stops taking it. */
export function cutIfStalled(response: ServerResponse, context: RequestContext, stallMs: number): void {
  if (!response.writableEnded || response.writableFinished || response.destroyed) return;
  void clientTakes(response, 'finish', context, stallMs);
}
