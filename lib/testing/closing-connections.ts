/**
 * The connection after an error the server did not handle. uvicorn writes the 500 (no
 * `Connection: close` header) and closes the connection at once; a client that reuses the pooled
 * connection for its next request sends it into a closed socket and gets a reset (`ECONNRESET`)
 * before any response byte, while one that saw the close first opens a new connection.
 *
 * Reproduced the same way, with the race removed: the socket is closed (FIN) as soon as the 500
 * has been handed to the OS, and a request that still reaches the server on it (sent before the
 * close) is answered with a TCP reset instead of being handled. So a request sent on that
 * connection always gets a reset, and never reaches a route.
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** @internal */
export class ClosingConnections {
  private readonly closing = new WeakSet<Socket>();

  /** Closes the response's connection once the response is written. */
  closeAfter(response: ServerResponse): void {
    const socket = response.socket;
    if (!socket || socket.destroyed) return;
    this.closing.add(socket);
    if (response.writableFinished) socket.destroy();
    else response.once('finish', () => socket.destroy());
  }

  /** Resets a connection that is being closed; true when it did (the request must then be ignored). */
  resetIfClosing(socket: Socket): boolean {
    if (!this.closing.has(socket)) return false;
    socket.resetAndDestroy();
    return true;
  }
}
