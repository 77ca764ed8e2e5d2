/**
 * What a routed call needs from its caller's cancellation (the client going away). An `AbortSignal` fits;
 * so does a plain object, which is why the gateway does not pay for an AbortController per request to
 * say "the client left" (Node 20: ~4 µs for a controller and one listener).
 */
export interface CallerSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
