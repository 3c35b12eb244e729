/**
 * What one REST exchange needs from the HTTP stack below it: POST a JSON text, get the status, the
 * body text and a header back. Two implementations: Node's own `node:http` (node-http.ts, the
 * default in Node) and any `fetch` (browsers, or a user's own).
 * @module
 */
import { fetchBody, type StreamedBody } from '../protocol/streamed-body.js';

/**
 * The `fetch` signature the client needs (the runtime's global one, a polyfill's, or a test double).
 * @category Client
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * @internal How a request is cancelled: the exchange sets `aborted` and calls `abort`, which the
 * requester sets to whatever stops its request. (A plain object: an AbortController per request
 * costs more than the rest of the client's work on it.)
 */
export interface CancelToken {
  aborted: boolean;
  abort?: () => void;
}

/** @internal One POST. */
export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  /** JSON text, or a store's body streamed from its documents (written again from the start at every send). */
  body: string | StreamedBody;
  cancel: CancelToken;
}

/** @internal What came back. */
export interface HttpReply {
  status: number;
  text: string;
  /** A response header, case-insensitive; null when absent. */
  header(name: string): string | null;
  /**
   * The URL that answered, when the HTTP stack says (fetch's `response.url`): another one means
   * the stack followed a redirect by itself, which the exchange then refuses if it left the origin.
   */
  url?: string;
}

/** @internal Sends one POST; rejects with the network error when no answer came. */
export type HttpRequester = (request: HttpRequest) => Promise<HttpReply>;

/**
 * An {@link HttpRequester} over `fetch`. Called as a plain function: a browser's fetch throws
 * "Illegal invocation" when called as a method of another object.
 * @internal
 */
export function fetchRequester(fetchImpl: FetchLike): HttpRequester {
  return async ({ url, headers, body, cancel }) => {
    const controller = new AbortController();
    cancel.abort = () => controller.abort();
    if (cancel.aborted) controller.abort();
    let payload: string | Blob;
    if (typeof body === 'string') payload = body;
    else {
      // fetch cannot be given a stream everywhere: a streamed body is built from its chunks first.
      payload = await fetchBody(body, () => controller.signal.aborted);
      if (controller.signal.aborted) throw Object.assign(new Error('The request was cancelled.'), { name: 'AbortError' });
    }
    // Redirects are the exchange's to judge (http-call.ts): fetch must not follow them with our credentials.
    const response = await fetchImpl(url, { method: 'POST', headers, body: payload, signal: controller.signal, redirect: 'manual' });
    const text = await response.text();
    return { status: response.type === 'opaqueredirect' ? 0 : response.status, text, header: (name) => response.headers.get(name), url: response.url || undefined };
  };
}
