/**
 * The answers the server writes over HTTP: JSON bodies, the plain-text 500, the slash redirect,
 * CORS headers, and the `Date` header from the server's clock.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** @internal One answer, before it is written. */
export interface Reply {
  status: number;
  /** Undefined for a 204. */
  contentType?: string;
  payload: string;
  headers?: Record<string, string>;
  /**
   * Set for an error the server's code raised: uvicorn writes the 500 (with no `Connection: close`
   * header) and then closes the connection.
   */
  closesConnection?: boolean;
}

/** @internal */
export const jsonReply = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  contentType: 'application/json',
  payload: JSON.stringify(body),
  headers,
});

/** @internal `{"detail": ...}` */
export const detailReply = (status: number, detail: unknown, headers?: Record<string, string>): Reply => jsonReply(status, { detail }, headers);

/** @internal What the server answers when its code raised: no JSON at all. */
export const internalErrorReply = (headers?: Record<string, string>): Reply => ({
  status: 500,
  contentType: 'text/plain; charset=utf-8',
  payload: 'Internal Server Error',
  headers,
  closesConnection: true,
});

/** @internal Starlette's slash redirect: 307, empty body, `Location` an absolute URL. */
export const redirectReply = (location: string): Reply => ({ status: 307, payload: '', headers: { Location: location } });

/** @internal */
export const preflightReply = (): Reply => ({
  status: 204,
  payload: '',
  headers: {
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Max-Age': '600',
  },
});

/** @internal Added to every answer when CORS is on: echo the origin, or `*` without one. */
export function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  return origin
    ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': 'Retry-After' }
    : { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Retry-After' };
}

/**
 * @internal Writes the answer unless the connection is already gone (the server stopped). `date` is
 * the server's clock: Node's own `Date` header (from the real clock) is turned off.
 */
export function writeReply(response: ServerResponse, reply: Reply, date: string, extraHeaders: Record<string, string>): void {
  if (response.destroyed || response.writableEnded) return;
  response.sendDate = false;
  const headers: Record<string, string | number> = { Date: date, ...reply.headers, ...extraHeaders };
  if (reply.contentType) headers['Content-Type'] = reply.contentType;
  headers['Content-Length'] = Buffer.byteLength(reply.payload);
  response.writeHead(reply.status, headers);
  response.end(reply.payload);
}
