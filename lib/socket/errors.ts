/**
 * The errors only the socket transport raises. They live with it, in kiss-ai-stack-rx/socket, so
 * that an app on REST alone does not bundle their messages; `isKissError` and `error.kind`
 * (`'socket-closed'`, `'too-large'`) recognise them from the main entry too.
 * @module
 */
import { brand, type ErrorContext, KissError, where } from '../errors/kiss-error.js';

/**
 * How a socket ended while a request waited: `server-closed` (the server closed it cleanly, code
 * 1000, which it does instead of answering a request it cannot handle), `dropped` (the connection
 * was lost without a clean close), `too-big` (the server closed it with 1009: a frame over its size
 * limit) or `order-lost` (the client closed it because an answer did not match its request, or a
 * frame came that no request was waiting for: answers can no longer be matched by order).
 * @category Errors
 */
export type SocketCloseCause = 'server-closed' | 'dropped' | 'too-big' | 'order-lost';

/**
 * A request sent on the socket got no answer because the socket closed. Names the event, the close
 * code and the likely cause. Such a request is never resent blindly: only asks and bootstraps are
 * retried after a drop (and stores when the caller opts in); when this error reaches you, it was not.
 *
 * @example
 * ```ts
 * if (e instanceof SocketClosedError && e.event === 'on_store') checkWhetherStored();
 * ```
 * @category Errors
 */
export class SocketClosedError extends KissError {
  static {
    brand(this, 'SocketClosedError');
  }
  readonly kind = 'socket-closed' as const;
  constructor(
    /** The socket event that got no answer, e.g. `on_query`. */
    readonly event: string,
    /** How the socket ended. */
    readonly closure: SocketCloseCause,
    /** The WebSocket close code (1000 clean, 1006 dropped without a close frame). */
    readonly code: number,
    context: ErrorContext = {},
    /** How many times the request was sent in all. */
    readonly attempts = 1,
  ) {
    super(socketClosedMessage(event, closure, code, attempts), context);
  }
}

function socketClosedMessage(event: string, cause: SocketCloseCause, code: number, attempts: number): string {
  if (cause === 'order-lost') {
    const head =
      'The answers on the socket stopped matching the requests (an answer to another request, a frame nobody asked for, or ' +
      `one that is not a protocol message), so the client closed it before ${event} was answered`;
    if (event === 'on_store') return `${head}. The documents may or may not have been stored: ask about them to check, or store again.`;
    if (event === 'on_close') return `${head}. The session may or may not be closed: destroy again to be sure.`;
    return `${head}, after ${attempts} send${attempts === 1 ? '' : 's'}; no answer that might belong to another request was delivered. Check the server or any proxy in between, then retry.`;
  }
  if (cause === 'too-big') {
    return (
      `The server closed the socket (code ${code}: message too big) without answering ${event}: a frame was larger than the ` +
      "server's frame limit (16 MiB by default). The request was not resent. Store large documents over REST, or set the " +
      "socket's maxFrameBytes to the server's limit so such stores go over REST by themselves."
    );
  }
  if (cause === 'server-closed') {
    return (
      `The server closed the socket (code ${code}) without answering ${event}. It does this when the stack is used before ` +
      'bootstrap, after a temporary session was destroyed, or for data it cannot handle: bootstrap first (and do not reuse a ' +
      'destroyed temporary session). The request was not resent.'
    );
  }
  if (event === 'on_store') {
    return (
      `The socket dropped (code ${code}) before ${event} was answered. The server may already have stored the documents, ` +
      'so they were not sent again: ask about them to check, or store again (or set resendStoresOnDrop to resend automatically).'
    );
  }
  if (event === 'on_close') {
    return `The socket dropped (code ${code}) before ${event} was answered; the session may or may not be closed, so it was not resent. Destroy again to be sure.`;
  }
  return `The socket dropped (code ${code}) before ${event} was answered, ${attempts} time${attempts === 1 ? '' : 's'}; it was not sent again. Check the network and the server, then retry.`;
}

/**
 * A request was too large to send the way it was asked to go: a store whose socket frame exceeds
 * the socket's `maxFrameBytes`, with the REST fallback turned off. Nothing was sent.
 *
 * @example
 * ```ts
 * if (e instanceof PayloadTooLargeError) console.error(`${e.bytes} bytes; the limit is ${e.limit}`);
 * ```
 * @category Errors
 */
export class PayloadTooLargeError extends KissError {
  static {
    brand(this, 'PayloadTooLargeError');
  }
  readonly kind = 'too-large' as const;
  constructor(
    /** The size of the frame that would have been sent, in bytes. */
    readonly bytes: number,
    /** The limit it exceeds, in bytes. */
    readonly limit: number,
    context: ErrorContext = {},
  ) {
    super(
      `The request${where(context)} would be a ${bytes}-byte socket frame, over the ${limit}-byte frame limit, so nothing was sent. ` +
        'Store fewer or smaller documents at a time, use the REST transport, or allow the REST fallback (socket option largeStoresOverRest).',
      context,
    );
  }
}
