/**
 * One HTTP exchange as a cold Observable: nothing is sent until subscription, unsubscribing aborts
 * the request, and every outcome is a typed value or a {@link KissError}.
 * @module
 */
import { Observable } from 'rxjs';
import type { ErrorContext } from '../errors/kiss-error.js';
import { errorFromHttpResponse, errorFromNetworkFailure } from '../errors/from-response.js';

/**
 * The `fetch` signature the client needs (the global one, cross-fetch's, or a test double).
 * @category Client
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** @internal Headers and body of one request. */
export interface PreparedRequest {
  headers: Record<string, string>;
  body: unknown;
}

/** @internal Everything one exchange needs. */
export interface HttpExchange<T> {
  fetch: FetchLike;
  url: string;
  /** Builds the headers and JSON body at subscription time (may read files, may throw a KissError). */
  prepare: () => Promise<PreparedRequest> | PreparedRequest;
  /** Turns a 2xx body text into the emitted value (decoding happens here), or throws. */
  read: (text: string) => T;
  context: ErrorContext;
}

/**
 * Runs one POST exchange per subscription.
 * @internal
 */
export function httpCall<T>(exchange: HttpExchange<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const { context } = exchange;
    const controller = new AbortController();
    let active = true;

    const run = async (): Promise<T> => {
      const prepared = await exchange.prepare();
      if (!active) throw new Error('unsubscribed before sending'); // never delivered
      let response: Response;
      let text: string;
      try {
        response = await exchange.fetch(exchange.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...prepared.headers },
          body: JSON.stringify(prepared.body),
          signal: controller.signal,
        });
        text = await response.text();
      } catch (error) {
        throw errorFromNetworkFailure(error, context);
      }
      if (!response.ok) throw errorFromHttpResponse(response.status, text, context, response.headers.get('retry-after'));
      return exchange.read(text);
    };
    run().then(
      (value) => {
        if (!active) return;
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        if (active) subscriber.error(errorFromNetworkFailure(error, context));
      },
    );

    return () => {
      active = false;
      controller.abort();
    };
  });
}
