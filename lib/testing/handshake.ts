/**
 * The `/ws` upgrade: authenticated once from the Authorization header; any refusal is a raw HTTP
 * answer (403 with no body for the server's own refusals) and no websocket. Accepted sockets take
 * frames up to `maxFrameBytes`; a larger one makes `ws` close the socket with 1009, as uvicorn does.
 * Like uvicorn, it accepts permessage-deflate when offered and then compresses every frame.
 * @module
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { authenticateHandshake } from './authenticate.js';
import type { ServerContext } from './context.js';
import type { SeenRequest } from './request-log.js';
import { SocketConnection } from './socket.js';
import { webSocketServerClass } from './ws-module.js';

/** @internal Accepts and tracks the sockets of one server. */
export class SocketHub {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<SocketConnection>();
  private readonly handshaking = new Map<Duplex, SeenRequest>();
  /** Called on every change of the open count, and with `true` when the server stops. */
  private readonly watchers = new Set<(stopping?: boolean) => void>();
  private stopped = false;
  accepted = 0;

  constructor(private readonly context: ServerContext) {
    this.wss = new (webSocketServerClass())({
      noServer: true,
      maxPayload: context.options.maxFrameBytes,
      // As uvicorn's websockets: permessage-deflate is accepted when the client offers it (ws and
      // browsers do), and then every frame is compressed, however small.
      perMessageDeflate: { threshold: 0 },
    });
    this.wss.on('headers', (headers: string[]) => headers.push(`Date: ${context.clock.httpDate()}`));
    // ws refuses malformed upgrade requests (400) through this event when it has a listener
    this.wss.on('wsClientError', (_error, socket: Duplex) => this.refuse(socket, 400));
  }

  get open(): number {
    return this.connections.size;
  }

  /** Resolves once exactly `count` sockets are open (at once if so already); rejects after timeoutMs. */
  waitForOpen(count: number, timeoutMs = 5000): Promise<void> {
    if (this.connections.size === count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const watcher = (stopping?: boolean) => {
        if (!stopping && this.connections.size !== count) return;
        this.watchers.delete(watcher);
        clearTimeout(timer);
        if (stopping) reject(new Error('waitForOpenSockets: the test server stopped'));
        else resolve();
      };
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        reject(new Error(`waitForOpenSockets: ${this.connections.size} open, not ${count}, after ${timeoutMs} ms`));
      }, timeoutMs);
      this.watchers.add(watcher);
    });
  }

  /** `path` is without prefix and query string, undefined outside the prefix (then `rawPath` is logged). */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, path: string | undefined, rawPath: string): Promise<void> {
    socket.on('error', () => undefined);
    const entry = this.context.log.record({ transport: 'http', method: request.method ?? 'GET', path: path ?? rawPath, at: Date.now() });
    this.handshaking.set(socket, entry);
    const latency = this.context.faults.latencyMs;
    const failure = this.context.faults.takeHttpFailure();
    await this.context.faults.delay(latency);
    if (failure) return this.refuse(socket, failure.status, failure.retryAfterSeconds);
    if (path !== '/ws') return this.refuse(socket, 403);
    const auth = await authenticateHandshake(request.headers.authorization, this.context.tokens, this.context.clients);
    if (!auth.ok) return this.refuse(socket, 403);
    if (this.stopped || socket.destroyed) return;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.handshaking.delete(socket);
      this.context.log.settle(entry, 101);
      this.accepted++;
      const connection = new SocketConnection(ws, auth.client, this.context, () => this.track(connection, false));
      this.track(connection, true);
    });
  }

  private track(connection: SocketConnection, open: boolean): void {
    if (open) this.connections.add(connection);
    else this.connections.delete(connection);
    for (const check of [...this.watchers]) check();
  }

  closeAll(code: number): void {
    for (const connection of this.connections) connection.close(code);
  }

  stop(): void {
    this.stopped = true;
    for (const connection of this.connections) connection.terminate();
    for (const socket of this.handshaking.keys()) socket.destroy();
    this.handshaking.clear();
    this.wss.close();
    for (const watcher of [...this.watchers]) watcher(true);
  }

  /**
   * A raw HTTP answer, then the connection ends. 403 (the server's refusal) has no body; a forced
   * failure carries the same body as over REST.
   */
  private refuse(socket: Duplex, status: number, retryAfterSeconds?: number): void {
    const entry = this.handshaking.get(socket);
    this.handshaking.delete(socket);
    if (entry) this.context.log.settle(entry, status);
    if (this.stopped || socket.destroyed) return;
    const body = status === 403 || status === 400 ? '' : status === 500 ? 'Internal Server Error' : JSON.stringify({ detail: STATUS_CODES[status] ?? 'Error' });
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      `Date: ${this.context.clock.httpDate()}`,
      'Connection: close',
      `Content-Length: ${Buffer.byteLength(body)}`,
    ];
    if (body) lines.push(`Content-Type: ${status === 500 ? 'text/plain; charset=utf-8' : 'application/json'}`);
    if (retryAfterSeconds !== undefined) lines.push(`Retry-After: ${retryAfterSeconds}`);
    socket.once('finish', () => socket.destroy());
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  }
}
