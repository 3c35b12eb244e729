/**
 * A request body too large to hold as one string: JSON text produced chunk by chunk, again from
 * its first byte at every pass, with its length known before any chunk exists. A store's body is
 * one (documents/documents-body.ts). Node's REST path writes it as the connection takes it, so the
 * client's memory does not grow with the documents; a resend writes it again from the start. The
 * fetch path builds it from its chunks; the socket transport measures it before building a frame.
 * @module
 */

/** @internal */
export interface StreamedBody {
  /** Tells a streamed body from a JSON value. */
  readonly streamed: true;
  /** The body's length in UTF-8 bytes, known before any chunk is produced (a request's Content-Length). */
  readonly byteLength: number;
  /**
   * A new pass over the body's JSON text from its first character; every pass yields the same
   * text. A chunk counts as sent (for progress) once the next one is asked for. Ending a pass early
   * (`break` in a for-await, or `return()`) releases what it holds, such as an open file. A source
   * that cannot be read fails the pass with its error (a `DocumentError`).
   */
  chunks(): AsyncGenerator<string, void, undefined>;
}

/** @internal */
export function isStreamedBody(body: unknown): body is StreamedBody {
  return typeof body === 'object' && body !== null && (body as { streamed?: unknown }).streamed === true;
}

/**
 * The whole body as one string, for a transport that needs it at once (a socket frame). Stops
 * reading, and resolves to '', once `stopped()` says the request was given up.
 * @internal
 */
export async function streamedText(body: StreamedBody, stopped: () => boolean = () => false): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of body.chunks()) {
    if (stopped()) return '';
    parts.push(chunk);
  }
  return parts.join('');
}

/** Bodies up to this many bytes are given to fetch as a string; larger ones as a Blob. */
export const FETCH_STRING_LIMIT = 8 * 1024 * 1024;
/** Text gathered before it is folded into the Blob under construction. */
const BLOB_BATCH_CHARS = 4 * 1024 * 1024;

/**
 * The body for `fetch`, which cannot be given a stream everywhere: a string up to
 * {@link FETCH_STRING_LIMIT} bytes, else a `Blob` built a few MiB at a time (a Blob made of Blobs
 * refers to them rather than copying), so the whole body never exists as one string as well.
 * Resolves to '' once `stopped()` says the request was given up.
 * @internal
 */
export async function fetchBody(body: StreamedBody, stopped: () => boolean = () => false): Promise<string | Blob> {
  if (body.byteLength <= FETCH_STRING_LIMIT || typeof Blob === 'undefined') return streamedText(body, stopped);
  let blob = new Blob([]);
  let batch: string[] = [];
  let batchChars = 0;
  for await (const chunk of body.chunks()) {
    if (stopped()) return '';
    batch.push(chunk);
    batchChars += chunk.length;
    if (batchChars >= BLOB_BATCH_CHARS) {
      blob = new Blob([blob, ...batch]);
      batch = [];
      batchChars = 0;
    }
  }
  return new Blob([blob, ...batch], { type: 'application/json' });
}
