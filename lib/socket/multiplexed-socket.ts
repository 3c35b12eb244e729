/**
 * One WebSocket per session, shared by every caller: requests from any number of subscribers are
 * queued, pipelined up to a cap, and matched to their callers in order (see pipeline.ts). This file
 * owns the connection's lifecycle: connect lazily, close when idle, ping to detect a dead peer,
 * reconnect with backoff after a drop, refresh the token once after a 403 handshake, and settle
 * every request when the socket ends.
 * @module
 */
import type { Observable, SchedulerLike, Subscription } from 'rxjs';
import type { Settle } from '../call/call.js';
import { type Deadline, type DeadlineQueue, deadlinesFor } from '../call/deadlines.js';
import {
  CancelledError,
  type ErrorContext,
  HttpError,
  inContext,
  type KissError,
  SessionMisuseError,
  UnauthorizedError,
} from '../errors/kiss-error.js';
import { type SocketCloseCause, SocketClosedError } from './errors.js';
import { scrubSecrets } from '../errors/redact.js';
import { errorFromHttpResponse, errorFromNetworkFailure, errorFromSocketFrame, parseRetryAfter } from '../errors/from-response.js';
import type { SocketEvent, StackResponseBody } from '../protocol/codecs.js';
import { decodeSocketFrame, isSocketErrorFrame } from '../protocol/decode.js';
import { mayResendAfterDrop } from '../retry/classify.js';
import { type PipelineEntry, RequestPipeline } from './pipeline.js';
import { Connection, type ConnectionOwner } from './connection.js';
import type { WebSocketFactory } from './web-socket-factory.js';

/**
 * @internal Everything a client's multiplexed sockets share (one config per transport, not per
 * socket: sessions by the thousand each hold a socket).
 */
export interface MultiplexedSocketConfig {
  url: string;
  factory: WebSocketFactory;
  maxInFlight: number;
  idleTimeout: number;
  pingInterval: number;
  reconnectAttempts: number;
  reconnectDelay: number;
  maxReconnectDelay: number;
  maxAskAttempts: number;
  scheduler: SchedulerLike;
  /** Called for lifecycle events (connected, closed, reconnecting), for logging. */
  onEvent?: (event: SocketLifecycleEvent) => void;
}

/** @internal The client a socket speaks for: its current token, and how to mint a fresh one. */
export interface SocketCredentials {
  /** The token for the next handshake. */
  token(): string;
  /** Mints a fresh token (so `token()` returns it); errors when the client has ended. */
  refreshToken(): Observable<unknown>;
}

/**
 * What happens to a session's socket, for logs and `events$`. Never carries a token.
 *
 * @example
 * ```ts
 * createClient({ url, transport: socketTransport, socket: { onEvent: (e) => console.log(e.type, e.url) } });
 * ```
 * @category Socket
 */
export type SocketLifecycleEvent =
  | {
      /** A socket opened. */
      type: 'socket-connected';
      /** The socket URL. */
      url: string;
    }
  | {
      /** A socket closed. */
      type: 'socket-closed';
      /** The socket URL. */
      url: string;
      /** The close code (1000 clean, 1006 dropped). */
      code: number;
      /** Who ended it: the client (idle, destroy, dispose), the server (clean close) or a drop. */
      by: 'client' | 'server' | 'drop';
    }
  | {
      /** A reconnect is scheduled. */
      type: 'socket-reconnecting';
      /** The socket URL. */
      url: string;
      /** Failed attempts so far. */
      attempt: number;
      /** Wait before the next attempt, in ms. */
      delayMs: number;
    }
  | {
      /** The handshake was refused (403) and a fresh token was minted. */
      type: 'socket-token-refreshed';
      /** The socket URL. */
      url: string;
    }
  | {
      /** A store too large for one socket frame went over REST instead. */
      type: 'store-over-rest';
      /** The socket URL. */
      url: string;
      /** The size the frame would have had, in bytes. */
      bytes: number;
      /** The socket's frame limit (`maxFrameBytes`), in bytes. */
      limit: number;
    };

/** Frames written to the socket in one go, at most. */
const FLUSH_BATCH = 16;

/**
 * A socket's idle or ping check, on the client's shared deadline queue: one small object per
 * arming, where a scheduled action costs a timer, an action and a subscription per socket.
 */
class SocketTimer implements Deadline {
  cancelled = false;
  constructor(
    readonly at: number,
    private socket: MultiplexedSocket | undefined,
  ) {}
  fire(): void {
    this.socket?.timerFired(this);
  }
  /** Cancelled: the queue may hold the entry a while longer, but not the socket through it. */
  cancel(queue: DeadlineQueue): void {
    queue.cancel(this);
    this.socket = undefined;
  }
}

/** @internal */
export class MultiplexedSocket implements ConnectionOwner {
  private readonly pipeline: RequestPipeline;
  private readonly deadlines: DeadlineQueue;
  private state: 'idle' | 'connecting' | 'open' = 'idle';
  /** The current socket: being opened, or open. Events of any other are late and ignored. */
  private connection: Connection | undefined;
  private idleTimer: SocketTimer | undefined;
  private pingTimer: SocketTimer | undefined;
  private reconnectTimer: Subscription | undefined;
  private refreshing: Subscription | undefined;
  private failures = 0;
  /** A fresh token was minted after the last refused handshake; a refusal now is not about the token's age. */
  private refreshedSinceOpen = false;
  /** A handshake refresh that failed for good (the client ended), and the token it failed for. */
  private refreshFailure: { error: KissError; token: string } | undefined;
  private sessionClosed = false;
  private disposed = false;

  constructor(
    private readonly config: MultiplexedSocketConfig,
    private readonly credentials: SocketCredentials,
  ) {
    this.pipeline = new RequestPipeline(config.maxInFlight);
    this.deadlines = deadlinesFor(config.scheduler);
  }

  /** Requests whose callers still wait. */
  get pending(): number {
    return this.pipeline.live;
  }

  /**
   * Queues one request; its answer's `{ stack_id, result, extras }` or its error goes to `settle`.
   * Returns the function that cancels it: a queued request leaves the queue, a sent one keeps its
   * place and its answer is dropped.
   */
  send(
    event: SocketEvent,
    frame: string,
    context: ErrorContext,
    options: { resendStores: boolean; question?: string },
    settle: Settle<StackResponseBody>,
  ): () => void {
    if (this.disposed) {
      settle.fail(new SessionMisuseError('This socket client was disposed; create a new client to keep going.', context));
      return () => undefined;
    }
    let settled = false;
    const entry: PipelineEntry = {
      event,
      frame,
      question: options.question,
      context,
      resendStores: options.resendStores,
      attempts: 0,
      abandoned: false,
      settle: (outcome) => {
        settled = true;
        if ('error' in outcome) return settle.fail(outcome.error);
        const frame = outcome.frame;
        // The detail is the server's text: it must not carry our token back into an error.
        if (isSocketErrorFrame(frame)) return settle.fail(errorFromSocketFrame(frame.status_code, scrubSecrets(frame.detail, [this.currentToken()]), context));
        if (event === 'on_close') this.sessionClosed = true;
        settle.ok(frame.result);
      },
    };
    this.pipeline.enqueue(entry);
    this.pump();
    return () => {
      if (settled) return;
      this.pipeline.cancel(entry);
      this.scheduleIdle();
    };
  }

  /**
   * Closes the socket now. Requests still waiting fail with `reason` (as their own step's error), or
   * with a {@link CancelledError} when none is given.
   */
  dispose(reason?: KissError): void {
    if (this.disposed) return;
    this.disposed = true;
    const waiting = [...this.pipeline.takeQueued(), ...this.pipeline.takeUnanswered(() => false)];
    this.closeNow();
    for (const entry of waiting) entry.settle({ error: reason ? inContext(reason, entry.context) : new CancelledError(entry.context) });
  }

  // ——— sending ———

  private pump(): void {
    if (this.disposed) return;
    if (this.state === 'open') {
      // A request to an idle socket goes out at once. Requests made while others are on the wire
      // go out in small batches (one TCP write each, instead of one per frame): at the next
      // microtask, or as soon as a batch is full, so the server starts on a long burst early.
      if ((this.pipeline.sent === 0 && !this.flushScheduled) || this.pipeline.waiting >= FLUSH_BATCH) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    } else if (this.state === 'idle' && this.pipeline.live > 0 && !this.reconnectTimer && !this.refreshing) {
      this.connect();
    }
    this.scheduleIdle();
  }

  private flushScheduled = false;
  private flush(): void {
    this.flushScheduled = false; // (also when called directly: harmless)
    const connection = this.connection;
    if (this.state !== 'open' || this.disposed || this.pipeline.waiting === 0 || !connection) return;
    const batch = this.pipeline.takeSendable();
    if (batch.length === 0) return;
    if (batch.length === 1) return connection.send(batch[0]!.frame);
    const tcp = connection.tcp;
    tcp?.cork();
    for (const entry of batch) connection.send(entry.frame);
    tcp?.uncork();
  }

  private connect(): void {
    this.state = 'connecting';
    let token: string;
    try {
      token = this.credentials.token();
    } catch (error) {
      this.state = 'idle';
      this.failQueued(error as KissError);
      return;
    }
    const connection = new Connection(this, this.config.factory);
    this.connection = connection;
    connection.start(this.config.url, token);
  }

  /** @internal The current socket opened. */
  connectionOpened(connection: Connection): void {
    if (this.connection !== connection) return;
    this.state = 'open';
    this.failures = 0;
    this.refreshedSinceOpen = false;
    this.sessionClosed = false;
    this.startPing();
    this.config.onEvent?.({ type: 'socket-connected', url: this.config.url });
    this.pump();
  }

  // ——— receiving ———

  /**
   * One frame from the server. Answers carry no request id, so a frame is only delivered when it
   * provably answers the oldest request in flight: it is a protocol message, something was waiting,
   * a success names that request's event and, for an ask, its question (`extras.query`). An error
   * frame names nothing and is taken as the head's answer, as the protocol says. Anything else means
   * the order is lost: see {@link MultiplexedSocket.orderLost}.
   */
  connectionReceived(connection: Connection, message: unknown): void {
    // A late frame of a socket we already closed answers nobody that is still waiting.
    if (this.connection !== connection) return;
    const text = typeof message === 'string' ? message : String(message);
    let frame;
    try {
      frame = decodeSocketFrame(text, { method: 'WS', url: this.config.url });
    } catch {
      return this.orderLost();
    }
    const head = this.pipeline.head;
    if (!head) return this.orderLost();
    if (!isSocketErrorFrame(frame)) {
      if (frame.event !== head.event) return this.orderLost();
      if (head.question !== undefined && (frame.result.extras as { query?: unknown } | null)?.query !== head.question) return this.orderLost();
    }
    this.pipeline.answer(frame);
    this.pump();
  }

  /**
   * An answer did not match its request, or a frame came that nobody waited for: from here on the
   * order cannot be trusted, so no answer on this socket may be delivered. The socket is closed;
   * asks (and bootstraps) in flight are resent on a new one, within their attempts; stores and
   * destroys fail, since they may or may not have been handled.
   */
  private orderLost(): void {
    const connection = this.connection;
    this.detach();
    connection?.close();
    this.config.onEvent?.({ type: 'socket-closed', url: this.config.url, code: 1000, by: 'client' });
    this.settleUnanswered('order-lost', 1000);
    this.failures++;
    this.retryLater();
  }

  // ——— ending ———

  /** The socket ended without our asking (our own closes detach first). */
  connectionEnded(connection: Connection): void {
    if (this.connection !== connection) return;
    this.detach();
    if (!connection.opened) return this.handshakeFailed(connection);
    const code = connection.closeCode ?? 1006;
    // 1009: a frame was over the server's limit. The frame is not named, so every unanswered store
    // (the likely culprit) fails with that cause and is never resent; asks are resent as after a drop.
    const closure = code === 1000 ? 'server-closed' : code === 1009 ? 'too-big' : 'dropped';
    this.config.onEvent?.({ type: 'socket-closed', url: this.config.url, code, by: closure === 'dropped' ? 'drop' : 'server' });
    this.settleUnanswered(closure, code);
    if (closure === 'dropped') this.failures++;
    this.retryLater();
  }

  /**
   * Every request sent on a socket that ended: resent on the next socket where that is safe (see
   * `mayResendAfterDrop`) and attempts remain, else failed with the cause. After a clean close
   * nothing is resent; after a 1009 or a lost order, stores never are (even when the caller accepts
   * duplicates: the first may well have been stored).
   */
  private settleUnanswered(closure: SocketCloseCause, code: number): void {
    const unanswered = this.pipeline.takeUnanswered(
      (entry) =>
        closure !== 'server-closed' &&
        (closure === 'dropped' || entry.event !== 'on_store') &&
        mayResendAfterDrop(entry.event, { resendStores: entry.resendStores }) &&
        entry.attempts < this.config.maxAskAttempts,
    );
    for (const entry of unanswered) {
      const cause = closure === 'too-big' && entry.event !== 'on_store' ? 'dropped' : closure;
      entry.settle({ error: new SocketClosedError(entry.event, cause, code, entry.context, entry.attempts) });
    }
  }

  private handshakeFailed(connection: Connection): void {
    const status = connection.handshakeStatus;
    const context: ErrorContext = { method: 'WS', url: this.config.url };
    if (connection.factoryError) return this.failQueued(errorFromNetworkFailure(connection.factoryError, context));
    if (status === 403 || status === 401) return this.refreshAfterRefusal(status, context);
    this.failures++;
    const retryAfterMs = parseRetryAfter(connection.retryAfter);
    if (this.failures > this.config.reconnectAttempts) {
      const failure = status
        ? status === 429 || status >= 500
          ? errorFromHttpResponse(status, '', context, connection.retryAfter)
          : new HttpError(status, undefined, context, `The server refused the socket handshake with HTTP ${status}, ${this.failures} times. Check the URL and the server; retry later.`)
        : errorFromNetworkFailure(connection.error ?? new Error(connection.errorMessage || 'the socket could not be opened'), context);
      this.failures = 0;
      return this.failQueued(failure);
    }
    this.retryLater(retryAfterMs);
  }

  /**
   * The handshake was refused: the token is no longer good (expired, or the client ended). Mint a
   * fresh one once, then reconnect. A refresh that already failed for good for this very token is
   * not tried again: later calls get its error, the real cause.
   */
  private refreshAfterRefusal(status: number, context: ErrorContext): void {
    const token = this.currentToken();
    const failure = this.refreshFailure;
    if (failure && failure.token === token) return this.failQueued(failure.error);
    if (this.refreshedSinceOpen) {
      this.refreshedSinceOpen = false;
      return this.failQueued(
        new HttpError(
          status,
          undefined,
          context,
          `The server refused the socket handshake (${status}) even with a freshly minted token. The client has probably ended; authorize a new client.`,
        ),
      );
    }
    let settled = false;
    const subscription = this.credentials.refreshToken().subscribe({
      error: (error: KissError) => {
        settled = true;
        this.refreshing = undefined;
        // An ended client stays ended: remember why, for every later call with this token.
        if (error instanceof UnauthorizedError && token !== undefined) this.refreshFailure = { error, token };
        this.failQueued(error);
      },
      complete: () => {
        settled = true;
        this.refreshing = undefined;
        this.refreshedSinceOpen = true;
        this.refreshFailure = undefined;
        this.config.onEvent?.({ type: 'socket-token-refreshed', url: this.config.url });
        this.pump();
      },
    });
    // A refresh that settled synchronously has already run its callbacks: nothing is pending.
    if (!settled) this.refreshing = subscription;
  }

  private currentToken(): string | undefined {
    try {
      return this.credentials.token();
    } catch {
      return undefined;
    }
  }

  /**
   * Reconnects (after a backoff when the last attempt failed) if callers still wait. A wait the
   * server asked for (`Retry-After` on a refused handshake) replaces the backoff, capped by
   * `maxReconnectDelay`.
   */
  private retryLater(retryAfterMs?: number): void {
    if (this.pipeline.live === 0 || this.disposed) return;
    if (this.failures === 0) return this.pump();
    const base = Math.min(this.config.maxReconnectDelay, this.config.reconnectDelay * 2 ** (this.failures - 1));
    const delayMs =
      retryAfterMs === undefined ? Math.round(base * (0.5 + Math.random() / 2)) : Math.min(this.config.maxReconnectDelay, retryAfterMs);
    this.config.onEvent?.({ type: 'socket-reconnecting', url: this.config.url, attempt: this.failures, delayMs });
    this.reconnectTimer = this.config.scheduler.schedule(() => {
      this.reconnectTimer = undefined;
      this.pump();
    }, delayMs);
  }

  /** Fails every request not yet sent, each with the error as its own step's error. */
  private failQueued(error: KissError): void {
    for (const entry of this.pipeline.takeQueued()) entry.settle({ error: inContext(error, entry.context) });
  }

  /** Forgets the current socket (its late events are ignored). */
  private detach(): void {
    this.stopIdle();
    this.stopPing();
    this.connection = undefined;
    this.state = 'idle';
  }

  /** Closes the socket from our side. */
  private closeNow(): void {
    const connection = this.connection;
    const wasOpen = this.state === 'open';
    this.detach();
    this.reconnectTimer?.unsubscribe();
    this.reconnectTimer = undefined;
    this.refreshing?.unsubscribe();
    this.refreshing = undefined;
    this.pipeline.takeUnanswered(() => false); // only abandoned requests can remain here
    connection?.close();
    if (wasOpen) this.config.onEvent?.({ type: 'socket-closed', url: this.config.url, code: 1000, by: 'client' });
  }

  /** When the socket last became idle (no caller waiting). */
  private idleSince = 0;

  /**
   * Closes the socket once it has been idle for the idle timeout. One timer serves many idle
   * spells: a busy socket goes idle after every answer, and arming a timer each time would cost
   * more than the request. The timer checks `idleSince` when it fires and re-arms if needed.
   */
  private scheduleIdle(): void {
    if (this.pipeline.live > 0 || this.state === 'idle') return;
    this.idleSince = this.config.scheduler.now();
    // After the session's close the server keeps the socket open; nothing more can use it.
    if (this.sessionClosed) {
      this.stopIdle();
      return this.armIdle(0);
    }
    if (!this.idleTimer) this.armIdle(this.config.idleTimeout);
  }

  private armIdle(delay: number): void {
    this.idleTimer = this.arm(delay);
  }

  /** A timer of this socket's, firing in `delay` ms (see {@link MultiplexedSocket.timerFired}). */
  private arm(delay: number): SocketTimer {
    const timer = new SocketTimer(this.config.scheduler.now() + delay, this);
    this.deadlines.schedule(timer);
    return timer;
  }

  private idleCheck(): void {
    // Busy again: the next idle spell arms a new timer.
    if (this.pipeline.live > 0 || this.state === 'idle') return;
    const limit = this.sessionClosed ? 0 : this.config.idleTimeout;
    const left = limit - (this.config.scheduler.now() - this.idleSince);
    if (left > 0) this.armIdle(left);
    else this.closeNow();
  }

  private startPing(): void {
    const interval = this.config.pingInterval;
    if (interval <= 0 || !this.connection?.canPing) return;
    this.pingTimer = this.arm(interval);
  }

  /** @internal One of this socket's timers fired. */
  timerFired(timer: SocketTimer): void {
    if (timer === this.idleTimer) {
      this.idleTimer = undefined;
      this.idleCheck();
    } else if (timer === this.pingTimer) {
      this.pingTimer = undefined;
      // No pong since the last ping: the peer is gone, and `ping()` terminated the socket.
      // Dropping the socket settles or resends its requests.
      if (this.connection?.ping()) this.startPing();
    }
  }

  private stopIdle(): void {
    this.idleTimer?.cancel(this.deadlines);
    this.idleTimer = undefined;
  }

  private stopPing(): void {
    this.pingTimer?.cancel(this.deadlines);
    this.pingTimer = undefined;
  }
}
