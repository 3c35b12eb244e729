/**
 * The one place that decides whether a failed request may be sent again. Every case says why.
 * The user's own predicate, where one is accepted, runs after this and can only narrow it.
 * @module
 */
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
