/**
 * What the client puts on the wire: REST bodies and socket frames, as JSON text.
 * @module
 */
import type { SocketEvent } from './codecs.js';

/**
 * A REST request body (`{ query }`, `{ files, metadata }`, the auth request) as JSON text.
 * @internal
 */
export function encodeBody(body: unknown): string {
  return JSON.stringify(body);
}

/**
 * A socket frame: `{ event, data }`, where data is the matching REST body.
 * @internal
 */
export function encodeSocketRequest(event: SocketEvent, data: unknown): string {
  return JSON.stringify({ event, data });
}
