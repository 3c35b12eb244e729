/**
 * One HTTP exchange: POST, read, decode, or a typed error. Cancelling aborts the request.
 * @module
 */
import type { Settle } from '../client/call.js';
import { type ErrorContext, KissError } from '../errors/kiss-error.js';
import { errorFromHttpResponse, errorFromNetworkFailure } from '../errors/from-response.js';
import { encodeBody } from '../protocol/encode.js';

/**
 * The `fetch` signature the client needs (the global one, cross-fetch's, or a test double).
 * @category Client
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** @internal Everything one exchange needs. */
export interface HttpExchange<T> {
  fetch: FetchLike;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Turns a 2xx body text into the result (decoding happens here), or throws. */
  read: (text: string) => T;
  context: ErrorContext;
}

/**
 * Starts one POST exchange; returns the function that aborts it.
 * @internal
 */
export function startHttpCall<T>(exchange: HttpExchange<T>, settle: Settle<T>): () => void {
  const { context } = exchange;
  const controller = new AbortController();
  const run = async (): Promise<T> => {
    let response: Response;
    let text: string;
    try {
      response = await exchange.fetch(exchange.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...exchange.headers },
        body: encodeBody(exchange.body),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      throw errorFromNetworkFailure(error, context);
    }
    if (!response.ok) throw errorFromHttpResponse(response.status, text, context, response.headers.get('retry-after'));
    return exchange.read(text);
  };
  run().then(settle.ok, (error: unknown) => settle.fail(error instanceof KissError ? error : errorFromNetworkFailure(error, context)));
  return () => controller.abort();
}
