/**
 * The socket side of the wire: one multiplexed socket per client, shared by every call made with
 * that client's authorization.
 * @module
 */
import type { Observable, SchedulerLike } from 'rxjs';
import { tap } from '../call/rx.js';
import type { Settle } from '../call/call.js';
import { stepContexts } from '../call/contexts.js';
import type { Authorization } from '../auth/authorization.js';
import type { ErrorContext, KissError, Step } from '../errors/kiss-error.js';
import { PayloadTooLargeError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, type SocketEvent, type StackResponseBody } from '../protocol/codecs.js';
import { encodeSocketRequest, encodeSocketRequestText, utf8Length } from '../protocol/encode.js';
import { isStreamedBody, type StreamedBody, streamedText } from '../protocol/streamed-body.js';
import { errorFromNetworkFailure } from '../errors/from-response.js';
import type { Endpoint } from '../rest/endpoint.js';
import type { RestTransport } from '../rest/rest-transport.js';
import { MultiplexedSocket, type MultiplexedSocketConfig, type SocketCredentials, type SocketLifecycleEvent } from './multiplexed-socket.js';
import { defaultWebSocketFactory, type WebSocketFactory } from './web-socket-factory.js';

/**
 * Options of the socket transport.
 * @category Socket
 */
export interface SocketOptions {
  /** Makes the socket; see {@link WebSocketFactory} for browsers and proxies. @default `ws` in Node, the global WebSocket elsewhere */
  webSocketFactory?: WebSocketFactory;
  /** Most requests sent and not yet answered at once; more wait in a queue. The server answers in order, so a higher cap costs it nothing, and a lower one costs pipelined throughput. @default 1000 */
  maxInFlight?: number;
  /** Milliseconds an unused socket stays open after its last caller leaves. @default 5000 */
  idleTimeout?: number;
  /** Milliseconds between keep-alive pings (Node's `ws` only; browsers cannot ping); a missing pong drops the socket. 0 disables. @default 30000 */
  pingInterval?: number;
  /** Reconnect attempts after a failed connect or a drop, before waiting requests fail. @default 5 */
  reconnectAttempts?: number;
  /** First reconnect delay in ms; doubles per attempt, with jitter. @default 200 */
  reconnectDelay?: number;
  /** Longest reconnect delay in ms. @default 5000 */
  maxReconnectDelay?: number;
  /** Times a resendable request (an ask, a bootstrap, an opted-in store) is sent in all when sockets keep dropping under it. @default 3 */
  maxAskAttempts?: number;
  /** Resend a store whose socket dropped before its answer (the server may then store it twice). @default false */
  resendStoresOnDrop?: boolean;
  /**
   * The largest frame the server accepts, in bytes: uvicorn's `ws_max_size`, 16 MiB unless the
   * operator changed it. The server closes the socket (code 1009) on a larger frame, so a store
   * whose frame would be larger is not sent over the socket (see `largeStoresOverRest`).
   * @default 16777216
   */
  maxFrameBytes?: number;
  /**
   * Send a store too large for one frame over REST instead (with a `store-over-rest` event). When
   * false, such a store fails with a {@link PayloadTooLargeError} before anything is sent.
   * @default true
   */
  largeStoresOverRest?: boolean;
  /** Called for socket lifecycle events (connected, closed, reconnecting, token refreshed). */
  onEvent?: (event: SocketLifecycleEvent) => void;
}

const EVENTS: Record<Exclude<Step, 'authorize'>, SocketEvent> = {
  bootstrap: 'on_init',
  ask: 'on_query',
  store: 'on_store',
  destroy: 'on_close',
};

/** @internal */
export interface SocketTransport {
  context(step: Step): ErrorContext;
  /** Sends a step's body on the client's socket; returns the function that cancels it. */
  send(step: Exclude<Step, 'authorize'>, auth: Authorization, body: unknown, settle: Settle<StackResponseBody>): () => void;
  /** Closes every socket; requests still waiting fail with `reason`, or as cancelled. */
  dispose(reason?: KissError): void;
}


/** One client's socket, and the authorization it speaks with (refreshed in place). */
class ClientSocket implements SocketCredentials {
  readonly socket: MultiplexedSocket;
  constructor(
    public auth: Authorization,
    private readonly transport: SocketTransportImpl,
  ) {
    this.socket = new MultiplexedSocket(transport, this);
  }
  token(): string {
    return this.auth.accessToken;
  }
  refreshToken(): Observable<unknown> {
    return this.transport.refresh(this.auth).pipe(tap((fresh) => (this.auth = fresh)));
  }
}

/**
 * The WebSocket transport: pass it as the `transport` option of `createClient` or `createSession`,
 * and bootstrap, ask, store and destroy go over one multiplexed socket per session (authorize
 * still uses REST). Its settings are the `socket` option ({@link SocketOptions}).
 *
 * It lives in an entry of its own, `kiss-ai-stack-rx/socket`, so that an app on REST alone does
 * not bundle it.
 *
 * @example
 * ```ts
 * import { createSession } from 'kiss-ai-stack-rx';
 * import { socketTransport } from 'kiss-ai-stack-rx/socket';
 *
 * const session = createSession({ url: 'http://localhost:8080', transport: socketTransport, socket: { maxInFlight: 200 } });
 * ```
 * @category Socket
 */
export const socketTransport: SocketTransportChoice = Object.freeze({ kind: 'socket', create: createSocketTransport });

/**
 * The type of {@link socketTransport}, the value the `transport` option takes for the socket.
 * @category Socket
 */
export interface SocketTransportChoice {
  /** Names the transport: `client.transport` reads `'socket'`. */
  readonly kind: 'socket';
  /** @internal Makes a client's socket transport. */
  readonly create: typeof createSocketTransport;
}

/** @internal */
export function createSocketTransport(
  endpoint: Endpoint,
  options: SocketOptions,
  refresh: (auth: Authorization) => Observable<Authorization>,
  scheduler: SchedulerLike,
  rest: RestTransport,
): SocketTransport {
  return new SocketTransportImpl(endpoint, options, refresh, scheduler, rest);
}

/**
 * A class, not a closure: its methods are shared by every client's transport. It is its sockets'
 * config too (one object per client, where sessions by the thousand each hold one).
 */
class SocketTransportImpl implements SocketTransport, MultiplexedSocketConfig {
  readonly url: string;
  readonly factory: WebSocketFactory;
  readonly maxInFlight: number;
  readonly idleTimeout: number;
  readonly pingInterval: number;
  readonly reconnectAttempts: number;
  readonly reconnectDelay: number;
  readonly maxReconnectDelay: number;
  readonly maxAskAttempts: number;
  readonly onEvent: ((event: SocketLifecycleEvent) => void) | undefined;
  private readonly maxFrameBytes: number;
  private readonly resendStores: boolean;
  private readonly storesOverRest: boolean;
  /**
   * The clients' sockets by client id. A session's client speaks for one client: it gets a field,
   * and a Map is made only for a second one.
   */
  private only: ClientSocket | undefined;
  private sockets: Map<string, ClientSocket> | undefined;
  private readonly contexts: Record<Step, ErrorContext>;

  constructor(
    endpoint: Endpoint,
    options: SocketOptions,
    readonly refresh: (auth: Authorization) => Observable<Authorization>,
    readonly scheduler: SchedulerLike,
    private readonly rest: RestTransport,
  ) {
    this.url = endpoint.wsUrl;
    this.factory = options.webSocketFactory ?? defaultWebSocketFactory;
    this.maxInFlight = options.maxInFlight ?? 1000;
    this.idleTimeout = options.idleTimeout ?? 5000;
    this.pingInterval = options.pingInterval ?? 30_000;
    this.reconnectAttempts = options.reconnectAttempts ?? 5;
    this.reconnectDelay = options.reconnectDelay ?? 200;
    this.maxReconnectDelay = options.maxReconnectDelay ?? 5000;
    this.maxAskAttempts = options.maxAskAttempts ?? 3;
    this.onEvent = options.onEvent;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.resendStores = options.resendStoresOnDrop ?? false;
    this.storesOverRest = options.largeStoresOverRest !== false;
    this.contexts = stepContexts('WS', endpoint.wsUrl, () => endpoint.wsUrl);
  }

  context(step: Step): ErrorContext {
    return this.contexts[step];
  }

  send(step: Exclude<Step, 'authorize'>, auth: Authorization, body: unknown, settle: Settle<StackResponseBody>): () => void {
    if (isStreamedBody(body)) return this.sendStreamed(step, auth, body, settle);
    return this.sendFrame(step, auth, body, encodeSocketRequest(EVENTS[step], body), settle);
  }

  dispose(reason?: KissError): void {
    this.only?.socket.dispose(reason);
    for (const { socket } of this.sockets?.values() ?? []) socket.dispose(reason);
    this.only = undefined;
    this.sockets = undefined;
  }

  private known(clientId: string): ClientSocket | undefined {
    return this.only?.auth.clientId === clientId ? this.only : this.sockets?.get(clientId);
  }

  private forget(entry: ClientSocket): void {
    if (this.only === entry) this.only = undefined;
    else if (this.sockets?.get(entry.auth.clientId) === entry) this.sockets.delete(entry.auth.clientId);
  }

  /** The client's socket, made on its first call. */
  private socketFor(auth: Authorization): ClientSocket {
    const known = this.known(auth.clientId);
    if (known) {
      // Keep whichever token lives longer: the caller's, or one this transport refreshed.
      if ((auth.expiresAt ?? 0) >= (known.auth.expiresAt ?? 0)) known.auth = auth;
      return known;
    }
    const entry = new ClientSocket(auth, this);
    if (!this.only) this.only = entry;
    else (this.sockets ??= new Map()).set(auth.clientId, entry);
    return entry;
  }

  /** A request whose frame would be over the limit: a store goes over REST (or fails, when asked to), anything else fails. */
  private overLimit(step: Exclude<Step, 'authorize'>, auth: Authorization, body: unknown, bytes: number, settle: Settle<StackResponseBody>): () => void {
    if (step !== 'store' || !this.storesOverRest) {
      settle.fail(new PayloadTooLargeError(bytes, this.maxFrameBytes, this.contexts[step]));
      return () => undefined;
    }
    this.onEvent?.({ type: 'store-over-rest', url: this.url, bytes, limit: this.maxFrameBytes });
    return this.rest.send(step, auth.accessToken, body, settle);
  }

  /**
   * A store's streamed body: its frame is measured before a byte of it is read, so one too big
   * for a frame goes over REST still streamed; one that fits is built (a frame is one string) and
   * sent as any other.
   */
  private sendStreamed(step: Exclude<Step, 'authorize'>, auth: Authorization, body: StreamedBody, settle: Settle<StackResponseBody>): () => void {
    const bytes = utf8Length(encodeSocketRequestText(EVENTS[step], '')) + body.byteLength;
    if (bytes > this.maxFrameBytes) return this.overLimit(step, auth, body, bytes, settle);
    let cancelled = false;
    let cancel: (() => void) | undefined;
    streamedText(body, () => cancelled).then(
      (text) => {
        if (!cancelled) cancel = this.sendFrame(step, auth, body, encodeSocketRequestText(EVENTS[step], text), settle);
      },
      (error: unknown) => {
        if (!cancelled) settle.fail(errorFromNetworkFailure(error, this.contexts[step]));
      },
    );
    return () => {
      cancelled = true;
      cancel?.();
    };
  }

  /** Sends one encoded frame on the client's socket; `body` is what it carries. */
  private sendFrame(step: Exclude<Step, 'authorize'>, auth: Authorization, body: unknown, frame: string, settle: Settle<StackResponseBody>): () => void {
    // Only a store can grow past the limit in practice; the check is cheap for the rest.
    if (frame.length > this.maxFrameBytes / 3 && utf8Length(frame) > this.maxFrameBytes) return this.overLimit(step, auth, body, utf8Length(frame), settle);
    const entry = this.socketFor(auth);
    const socket = entry.socket;
    const done =
      step === 'destroy'
        ? {
            ok: (result: StackResponseBody) => {
              // A destroyed session's socket is closed by the multiplexer; forget it here.
              if (socket.pending === 0) this.forget(entry);
              settle.ok(result);
            },
            fail: settle.fail,
          }
        : settle;
    const question = step === 'ask' ? (body as { query: string }).query : undefined;
    return socket.send(EVENTS[step], frame, this.contexts[step], { resendStores: this.resendStores, question }, done);
  }
}
