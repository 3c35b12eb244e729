/**
 * What one REST exchange needs from the HTTP stack below it: POST a JSON text, get the status, the
 * body text and a header back. Two implementations: Node's own `node:http` (node-http.ts, the
 * default in Node) and any `fetch` (browsers, or a user's own).
 * @module
 */

/**
 * The `fetch` signature the client needs (the global one, cross-fetch's, or a test double).
 * @category Client
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** @internal One POST. */
export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** @internal What came back. */
export interface HttpReply {
  status: number;
  text: string;
  /** A response header, case-insensitive; null when absent. */
  header(name: string): string | null;
}

/** @internal Sends one POST; rejects with the network error when no answer came. */
export type HttpRequester = (request: HttpRequest) => Promise<HttpReply>;

/**
 * An {@link HttpRequester} over `fetch`. Called as a plain function: a browser's fetch throws
 * "Illegal invocation" when called as a method of another object.
 * @internal
 */
export function fetchRequester(fetchImpl: FetchLike): HttpRequester {
  return async ({ url, headers, body, signal }) => {
    // Redirects are the exchange's to judge (http-call.ts): fetch must not follow them with our credentials.
    const response = await fetchImpl(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    const text = await response.text();
    return { status: response.type === 'opaqueredirect' ? 0 : response.status, text, header: (name) => response.headers.get(name) };
  };
}
