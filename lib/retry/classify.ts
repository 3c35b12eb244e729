/**
 * The one place that decides whether a failed request may be sent again. Every case says why.
 * The user's own predicate, where one is accepted, runs after this and can only narrow it.
 * @module
 */
import { isKissError, type Step, UnauthorizedError } from '../errors/kiss-error.js';
import type { SocketEvent } from '../protocol/codecs.js';

/**
 * Whether a request that was sent on a socket that then dropped (no answer, no clean close) may be
 * sent again on the next socket.
 * @internal
 */
export function mayResendAfterDrop(event: SocketEvent, options: { resendStores: boolean }): boolean {
  switch (event) {
    // Asking has no side effect on the server: repeating it is safe.
    case 'on_query':
      return true;
    // Bootstrapping twice is allowed by the server, so a repeat is harmless.
    case 'on_init':
      return true;
    // The server may have stored the documents before the drop; a resend could store them twice.
    // Only the caller can say that duplicates are acceptable.
    case 'on_store':
      return options.resendStores;
    // If the close was handled, a temporary client is gone (a resend gets 403) and a persistent one
    // is no longer bootstrapped (a resend gets a silent close): never repeat it.
    case 'on_close':
      return false;
  }
}

/**
 * Whether a failed call may be tried again after a backoff. The user's own predicate
 * (`RetryPolicy.shouldRetry`) runs after this, and can only say no.
 * @internal
 */
export function isRetryable(error: unknown, step: Step, options: { resendStores: boolean }): boolean {
  if (!isKissError(error)) return false;
  switch (error.kind) {
    // 503: the server (or a proxy) says it did not handle the request and will be back; safe for
    // every step. 502 and 504 come from a proxy that may have passed the request on before the
    // server's answer was lost, so a store is only repeated when the caller accepts duplicates.
    // A 500 is this server's answer to using a stack before bootstrap or after destroy (or an
    // unknown scope): repeating it fails again.
    case 'server':
      if (error.status === 503) return true;
      if (error.status === 502 || error.status === 504) return step !== 'store' || options.resendStores;
      return false;
    // 429: the server refused to handle the request for now; it was not handled, so any step may
    // be repeated once the wait it asked for (Retry-After) is over.
    case 'http':
      return error.status === 429;
    // Nothing reached the server (refused, DNS) or the connection broke. A store that may have been
    // received could be stored twice, so it is only repeated when the caller accepts that.
    case 'transport':
      if (step !== 'store') return true;
      return error.reason === 'refused' || error.reason === 'dns' || options.resendStores;
    // The socket dropped under a request that the transport itself did not resend (an ask that ran
    // out of transport-level attempts, a store, a destroy): only an ask is safe to repeat here.
    case 'socket-closed':
      return error.closure === 'dropped' && (step === 'ask' || (step === 'store' && options.resendStores));
    // Everything else is a verdict that a repeat cannot change: 4xx (401 has its own path, a token
    // refresh), validation, decode failures, misuse, unreadable documents, a failed store, a
    // timeout (the caller chose the limit), a cancellation (the caller chose to stop).
    default:
      return false;
  }
}

/**
 * A 401 `Invalid token`: not retried by backoff, but by minting a fresh token once and replaying.
 * @internal
 */
export function needsFreshToken(error: unknown): boolean {
  return error instanceof UnauthorizedError && error.reason === 'invalid-token';
}

/**
 * A 401 `Invalid or inactive session`: the client has ended (a destroyed temporary session), and
 * no retry or refresh can revive it.
 * @internal
 */
export function clientHasEnded(error: unknown): boolean {
  return error instanceof UnauthorizedError && error.reason === 'inactive-session';
}
