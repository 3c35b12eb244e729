/**
 * Making the socket: the default factory (Node: `ws` with the bearer header; browsers: the global
 * WebSocket, which cannot send headers) and the probe that records how a socket opened and ended.
 * @module
 */
import type { WebSocketLike as RxjsWebSocketLike } from 'rxjs-websockets';
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
export interface WebSocketLike extends RxjsWebSocketLike {}

/**
 * The default {@link WebSocketFactory}.
 * @internal
 */
export const defaultWebSocketFactory: WebSocketFactory = (url, { token }) => {
  if (inNode()) {
    const NodeWebSocket = nodeWebSocketNow();
    // Only when called directly in an ES module before the first socket (probedFactory waits for the import).
    if (!NodeWebSocket) throw new Error('The ws module is not loaded yet; open the socket through the client.');
    return new NodeWebSocket(url, { headers: { Authorization: `Bearer ${token}` } }) as unknown as WebSocketLike;
  }
  const BrowserWebSocket = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!BrowserWebSocket) {
    throw new SessionMisuseError('This runtime has no WebSocket; pass a webSocketFactory option.');
  }
  return new BrowserWebSocket(url);
};

/** @internal What was seen of one socket. */
export interface SocketProbe {
  opened: boolean;
  /** HTTP status of a refused handshake (e.g. 403), when the runtime tells. */
  handshakeStatus?: number;
  /** Message of the last error event. */
  errorMessage?: string;
  /** The error behind the last error event (with its `code`, e.g. ENOTFOUND), when the runtime gives it. */
  error?: unknown;
  /** The refused handshake's `Retry-After` header, when the runtime shows it (Node's `ws`). */
  retryAfter?: string;
  /** The close event, once closed. */
  close?: { code: number; reason: string };
  /** The socket as made by the factory (for ping/terminate where supported). */
  raw?: WebSocketLike;
  /** What the factory threw, if it did. */
  factoryError?: unknown;
}

type Handler = ((event: unknown) => unknown) | null;

/**
 * Wraps a factory so every socket it makes fills a probe before rxjs-websockets' own handlers run.
 * The default factory's first socket in an ES module under Node is made once `ws` is imported: the
 * wrapper is returned at once, and a close before then means the socket is never made.
 * @internal
 */
export function probedFactory(factory: WebSocketFactory, context: WebSocketFactoryContext, probe: SocketProbe): (url: string) => WebSocketLike {
  return (url) => {
    let raw: WebSocketLike | undefined;
    let closed = false;
    const wrapped: WebSocketLike = {
      onopen: null,
      onmessage: null,
      onerror: null,
      onclose: null,
      // rxjs-websockets sends only after the open event, so the socket exists by then.
      send: (data) => raw!.send(data),
      close: () => {
        closed = true;
        raw?.close();
      },
    };
    const call = (handler: Handler, event: unknown) => handler?.call(wrapped, event);
    const loading = factory === defaultWebSocketFactory ? nodeWebSocketPending() : undefined;
    if (!loading) {
      try {
        raw = factory(url, context);
      } catch (error) {
        probe.factoryError = error;
        throw error;
      }
      watch(raw);
      return wrapped;
    }
    loading
      .then(() => {
        if (closed) return;
        raw = factory(url, context);
        watch(raw);
      })
      .catch((error: unknown) => {
        // As when a factory throws: the probe names the cause, and the socket ends with an error.
        probe.factoryError = error;
        if (!closed) call(wrapped.onerror, { message: String((error as { message?: unknown })?.message ?? error), error });
      });
    return wrapped;

    /** Records what happens to the socket in the probe, then passes each event on. */
    function watch(socket: WebSocketLike): void {
      probe.raw = socket;
      readRefusal(socket, probe);
      socket.onopen = (event: unknown) => {
        probe.opened = true;
        call(wrapped.onopen, event);
      };
      socket.onmessage = (event: unknown) => call(wrapped.onmessage, event);
      socket.onerror = (event: unknown) => {
        const message = String((event as { message?: unknown })?.message ?? (event as { error?: { message?: unknown } })?.error?.message ?? '');
        probe.errorMessage = message;
        probe.error = (event as { error?: unknown })?.error ?? probe.error;
        const status = /Unexpected server response: (\d{3})/.exec(message);
        if (status) probe.handshakeStatus ??= Number(status[1]);
        call(wrapped.onerror, event);
      };
      socket.onclose = (event: unknown) => {
        const { code, reason } = (event ?? {}) as { code?: number; reason?: string };
        probe.close = { code: code ?? 1006, reason: reason ?? '' };
        call(wrapped.onclose, event);
      };
    }
  };
}

interface NodeWebSocketEvents {
  on(event: 'unexpected-response', listener: (request: { destroy(): void }, response: UpgradeRefusal) => void): void;
  terminate(): void;
}
interface UpgradeRefusal {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  resume(): void;
}

/**
 * Node's `ws` shows a refused handshake's response to an `unexpected-response` listener (and only
 * then): its status and `Retry-After` go into the probe, then the socket is ended as `ws` would
 * (an error event, then a close event).
 */
function readRefusal(raw: WebSocketLike, probe: SocketProbe): void {
  const node = raw as unknown as Partial<NodeWebSocketEvents>;
  if (typeof node.on !== 'function' || typeof node.terminate !== 'function') return;
  node.on('unexpected-response', (_request, response) => {
    probe.handshakeStatus = response.statusCode;
    const retryAfter = response.headers['retry-after'];
    probe.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
    response.resume();
    node.terminate!();
  });
}
