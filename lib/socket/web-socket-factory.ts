/**
 * Making the socket: the default factory (Node: `ws` with the bearer header; browsers: the global
 * WebSocket, which cannot send headers). How a socket opened and ended is read in connection.ts.
 * @module
 */
import { SessionMisuseError } from '../errors/kiss-error.js';
import { inNode, nodeWebSocketNow, nodeWebSocketPending } from './node-web-socket.js';

/**
 * What a {@link WebSocketFactory} is given.
 * @category Socket
 */
export interface WebSocketFactoryContext {
  /** The bearer token the handshake must carry as `Authorization: Bearer <token>`. Never log it. */
  readonly token: string;
}

/**
 * Makes the socket for a URL. The default uses `ws` in Node (sending the bearer header) and the
 * global `WebSocket` elsewhere. Browsers cannot set the header, so in a browser the socket only
 * works through a proxy that adds it (see docs/socket.md).
 *
 * @example
 * ```ts
 * // A browser app behind a proxy that adds the Authorization header from a session cookie:
 * const webSocketFactory: WebSocketFactory = (url) => new WebSocket(url);
 * ```
 * @category Socket
 */
export type WebSocketFactory = (url: string, context: WebSocketFactoryContext) => WebSocketLike;

/**
 * What a {@link WebSocketFactory} returns: the part of the standard `WebSocket` the client uses
 * (`send`, `close` and the four `on…` handlers). A browser's `WebSocket` and Node's `ws` both fit.
 *
 * @example
 * ```ts
 * const factory: WebSocketFactory = (url): WebSocketLike => new WebSocket(url);
 * ```
 * @category Socket
 */
export interface WebSocketLike {
  /** Closes the socket. */
  close(): unknown;
  /** Sends one frame (the client sends text frames only). */
  send(data: string | ArrayBuffer | Blob): unknown;
  /** Set by the client: the socket opened. */
  onopen: ((event: any) => unknown) | null;
  /** Set by the client: the socket closed (`event.code`, `event.reason`). */
  onclose: ((event: any) => unknown) | null;
  /** Set by the client: a frame arrived (`event.data`). */
  onmessage: ((event: any) => unknown) | null;
  /** Set by the client: the socket failed (`event.message`, and `event.error` where the runtime gives one). */
  onerror: ((event: any) => unknown) | null;
}

/**
 * The default {@link WebSocketFactory}.
 * @internal
 */
export const defaultWebSocketFactory: WebSocketFactory = (url, { token }) => {
  if (inNode()) {
    const NodeWebSocket = nodeWebSocketNow();
    // Only when called directly in an ES module before the first socket (a Connection waits for the import).
    if (!NodeWebSocket) throw new Error('The ws module is not loaded yet; open the socket through the client.');
    // No permessage-deflate offer: the server accepts one and then compresses every frame, however
    // small, which costs each open socket zlib state (about 260 KB of memory, measured against the
    // test server doing the same) and each frame a round through zlib, for answers that are short
    // JSON. A factory of your own can offer it (see docs/socket.md).
    return new NodeWebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false }) as unknown as WebSocketLike;
  }
  const BrowserWebSocket = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!BrowserWebSocket) {
    throw new SessionMisuseError('This runtime has no WebSocket; pass a webSocketFactory option.');
  }
  return new BrowserWebSocket(url);
};
