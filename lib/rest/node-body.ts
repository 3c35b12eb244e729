/**
 * Writing a request body with `node:http`: JSON text at once, a streamed body (a store's) chunk by
 * chunk as the connection takes it, so memory does not grow with the documents. Each call streams
 * the body from its first byte, so a request resent on a fresh connection sends all of it again.
 * @module
 */
import type { ClientRequest } from 'node:http';
import type { StreamedBody } from '../protocol/streamed-body.js';

/**
 * Writes `body` and ends the request. A streamed body stops as soon as the request is destroyed
 * (cancelled, timed out, its connection reset) or a response arrives: a server that answers
 * before reading the whole body will not read the rest (a 401 need not wait for 64 MB), and the
 * connection of a request left unfinished is then closed, never pooled. A source that fails (a
 * file that became unreadable) destroys the request with its error, so the server never gets a
 * whole body.
 * @internal
 */
export function writeBody(req: ClientRequest, body: string | StreamedBody): void {
  // JSON text as a string: node:http sends it in the same write as the headers.
  if (typeof body === 'string') {
    req.end(body, 'utf8');
    return;
  }
  let answered = false;
  req.once('response', (response) => {
    answered = true;
    response.once('end', () => {
      if (!req.writableEnded) req.destroy();
    });
  });
  void pump(req, body, () => answered || req.destroyed);
}

async function pump(req: ClientRequest, body: StreamedBody, stopped: () => boolean): Promise<void> {
  try {
    // Leaving the loop early ends the pass, which closes whatever it had open.
    for await (const chunk of body.chunks()) {
      if (stopped()) return;
      if (!req.write(chunk) && !stopped()) await drained(req);
    }
    if (!stopped()) req.end();
  } catch (error) {
    req.destroy(error as Error);
  }
}

/** Resolves once the request can take more, or is gone. */
function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}
