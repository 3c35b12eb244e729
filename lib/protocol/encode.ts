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
  // The same text as JSON.stringify({ event, data }), without building that object per frame.
  return `{"event":"${event}","data":${JSON.stringify(data)}}`;
}

/**
 * A socket frame around data already encoded as JSON text (a store's streamed body): the same
 * text {@link encodeSocketRequest} gives for the value that text encodes.
 * @internal
 */
export function encodeSocketRequestText(event: SocketEvent, dataJson: string): string {
  return `{"event":${JSON.stringify(event)},"data":${dataJson}}`;
}

/**
 * The length of `text` in UTF-8 bytes, without encoding it (frames can be many megabytes).
 * @internal
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 UTF-16 units (a lone surrogate is 3, as U+FFFD)
      i++;
    } else bytes += 2;
  }
  return bytes;
}
