/**
 * One attempt at a socket: makes it through the factory, records how it opened and ended (the
 * handshake's status and `Retry-After`, the error, the close code), and hands its open, frames and
 * end to the multiplexer. It takes the place of an Observable wrapper around the socket: one object
 * and four handlers per connection, where a wrapper costs an Observable, two Subjects and three
 * subscriptions for the same forwarding.
 * @module
 */
import { defaultWebSocketFactory, type WebSocketFactory, type WebSocketLike } from './web-socket-factory.js';
import { nodeWebSocketPending } from './node-web-socket.js';

/** What a {@link Connection} reports to: the multiplexer. @internal */
export interface ConnectionOwner {
  /** The socket opened (and was not closed by the client first). */
  connectionOpened(connection: Connection): void;
  /** A frame arrived on an open socket the client has not closed. */
  connectionReceived(connection: Connection, data: unknown): void;
  /** The socket failed or closed, by the server or the network; once, and never after {@link Connection.close}. */
  connectionEnded(connection: Connection): void;
}

interface NodeWebSocketEvents {
  on(event: string, listener: (this: NodeWebSocket, ...args: never[]) => void): void;
  ping(): void;
  terminate(): void;
}
interface UpgradeRefusal {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  resume(): void;
}

/** Where a `ws` socket keeps its connection, so its listeners can be shared functions. */
const CONNECTION = Symbol('kiss-ai-stack-rx/connection');
type NodeWebSocket = WebSocketLike & NodeWebSocketEvents & { [CONNECTION]: Connection };

/** Node's `ws` (any copy of it), or a socket that acts like it: an EventEmitter that can ping. */
const isNodeWebSocket = (raw: WebSocketLike): raw is NodeWebSocket => {
  const node = raw as Partial<NodeWebSocketEvents>;
  return typeof node.on === 'function' && typeof node.ping === 'function' && typeof node.terminate === 'function';
};

// Listeners of every `ws` socket (`this` is the socket). ws's own events, not its `on…`
// properties: each of those wraps its handler in a listener of its own, per socket.
function wsOpen(this: NodeWebSocket): void {
  this[CONNECTION].opened$();
}
function wsMessage(this: NodeWebSocket, data: { toString(): string }, isBinary: boolean): void {
  this[CONNECTION].message$(isBinary ? data : data.toString());
}
function wsError(this: NodeWebSocket, error: Error): void {
  this[CONNECTION].error$(error?.message, error);
}
function wsClose(this: NodeWebSocket, code: number): void {
  this[CONNECTION].closed$(code);
}
function wsPong(this: NodeWebSocket): void {
  this[CONNECTION].awaitingPong = false;
}
/**
 * Node's `ws` shows a refused handshake's response to an `unexpected-response` listener (and only
 * then): its status and `Retry-After` are kept, then the socket is ended as `ws` would (an error
 * event, then a close event).
 */
function wsRefused(this: NodeWebSocket, _request: unknown, response: UpgradeRefusal): void {
  const connection = this[CONNECTION];
  connection.handshakeStatus = response.statusCode;
  const retryAfter = response.headers['retry-after'];
  connection.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  response.resume();
  this.terminate();
}

/**
 * A socket being opened, open, or ended. The default factory's first socket in an ES module under
 * Node is made once `ws` is imported: a close before then means the socket is never made.
 * @internal
 */
export class Connection {
  /** The open event arrived. */
  opened = false;
  /** The HTTP status that refused the handshake, when the runtime shows it (Node's `ws` does). */
  handshakeStatus: number | undefined;
  /** The refusal's `Retry-After`, as sent. */
  retryAfter: string | undefined;
  /** The error event's message (`ws` puts `Unexpected server response: 429` there). */
  errorMessage: string | undefined;
  /** The error event's error, when it carried one. */
  error: unknown;
  /** The close event's code, 1006 when it had none; undefined until it arrives. */
  closeCode: number | undefined;
  /** What the factory threw (or the `ws` import failed with), if it did. */
  factoryError: unknown;
  /** The socket as made by the factory. */
  raw: WebSocketLike | undefined;
  /** Closed by the client, or ended: nothing more is reported. */
  private done = false;
  /** `ws` only: a ping went out and no pong has come back since. */
  awaitingPong = false;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly factory: WebSocketFactory,
  ) {}

  /**
   * Makes the socket. A factory that throws ends the connection at once (reported to the owner,
   * which must already hold this connection), as does a failed import of `ws`.
   */
  start(url: string, token: string): void {
    const loading = this.factory === defaultWebSocketFactory ? nodeWebSocketPending() : undefined;
    if (!loading) return this.make(url, token);
    loading.then(
      () => {
        if (!this.done) this.make(url, token);
      },
      (error: unknown) => {
        // As when a factory throws: the connection names the cause, and ends.
        this.factoryError = error;
        this.end();
      },
    );
  }

  /** Sends a frame on the open socket. */
  send(frame: string): void {
    this.raw!.send(frame);
  }

  /** Closes the socket from the client's side; nothing more is reported. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.raw?.close();
  }

  /**
   * Pings an open `ws` socket; false when the previous ping is still unanswered (the peer is gone:
   * the socket is terminated, which ends it) or the runtime cannot ping.
   */
  ping(): boolean {
    const raw = this.raw;
    if (!raw || !isNodeWebSocket(raw)) return false;
    if (this.awaitingPong) {
      raw.terminate();
      return false;
    }
    this.awaitingPong = true;
    raw.ping();
    return true;
  }

  /** True when the socket can be pinged (Node's `ws`; a browser's WebSocket cannot). */
  get canPing(): boolean {
    return !!this.raw && isNodeWebSocket(this.raw);
  }

  /** The TCP socket under a `ws` socket, to send a batch of frames in one write. */
  get tcp(): { cork(): void; uncork(): void } | undefined {
    const tcp = (this.raw as { _socket?: { cork?: unknown; uncork?: unknown } } | undefined)?._socket;
    return tcp && typeof tcp.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as { cork(): void; uncork(): void }) : undefined;
  }

  private make(url: string, token: string): void {
    let raw: WebSocketLike;
    try {
      raw = this.factory(url, { token });
    } catch (error) {
      this.factoryError = error;
      return this.end();
    }
    this.raw = raw;
    if (isNodeWebSocket(raw)) {
      const node = raw;
      node[CONNECTION] = this;
      node.on('open', wsOpen);
      node.on('message', wsMessage);
      node.on('error', wsError);
      node.on('close', wsClose);
      node.on('pong', wsPong);
      node.on('unexpected-response', wsRefused);
      return;
    }
    // Any other socket (a browser's, or a factory's own): its standard handlers.
    raw.onopen = () => this.opened$();
    raw.onmessage = (event: { data?: unknown }) => this.message$(event.data);
    raw.onerror = (event: { message?: unknown; error?: { message?: unknown } }) => this.error$(event?.message ?? event?.error?.message, event?.error);
    raw.onclose = (event: { code?: number }) => this.closed$(event?.code);
  }

  /** @internal The socket opened. */
  opened$(): void {
    this.opened = true;
    if (this.done) this.raw!.close();
    else this.owner.connectionOpened(this);
  }

  /** @internal A frame arrived. */
  message$(data: unknown): void {
    if (!this.done) this.owner.connectionReceived(this, data);
  }

  /** @internal The socket failed: `ws` puts `Unexpected server response: 429` in the message of a refused handshake. */
  error$(message: unknown, error: unknown): void {
    this.errorMessage = String(message ?? '');
    this.error = error ?? this.error;
    const status = /Unexpected server response: (\d{3})/.exec(this.errorMessage);
    if (status) this.handshakeStatus ??= Number(status[1]);
    this.end();
  }

  /** @internal The socket closed. */
  closed$(code: number | undefined): void {
    this.closeCode = code ?? 1006;
    this.end();
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.owner.connectionEnded(this);
  }
}
