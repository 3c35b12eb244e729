/**
 * One HTTP exchange as a cold Observable: nothing is sent until subscription, unsubscribing aborts
 * the request, and every outcome is a typed value or a {@link KissError}.
 * @module
 */
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';
import { CancelledError, type ErrorContext, KissError, TimeoutError } from '../errors/kiss-error.js';
import { errorFromHttpResponse, errorFromNetworkFailure } from '../errors/from-response.js';

/**
 * The `fetch` signature the client needs (the global one, cross-fetch's, or a test double).
 * @category Client
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Per-call options accepted by every lifecycle method.
 * @category Client
 */
export interface CallOptions {
  /** Cancels the call; the Observable then errors with a {@link CancelledError}. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the answer before failing with a {@link TimeoutError}; 0 disables. @default the client's `timeout` */
  timeout?: number;
}

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
  timeout: number;
  signal?: AbortSignal;
  scheduler?: SchedulerLike;
}

/**
 * Runs one POST exchange per subscription.
 * @internal
 */
export function httpCall<T>(exchange: HttpExchange<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const { context, signal } = exchange;
    const controller = new AbortController();
    let settled = false;
    const fail = (error: KissError) => {
      if (settled) return;
      settled = true;
      controller.abort();
      subscriber.error(error);
    };

    const onAbort = () => fail(new CancelledError(context));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      exchange.timeout > 0
        ? (exchange.scheduler ?? asyncScheduler).schedule(() => fail(new TimeoutError(exchange.timeout, context)), exchange.timeout)
        : undefined;

    const run = async () => {
      const prepared = await exchange.prepare();
      if (settled) return;
      let response: Response;
      try {
        response = await exchange.fetch(exchange.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...prepared.headers },
          body: JSON.stringify(prepared.body),
          signal: controller.signal,
        });
      } catch (error) {
        if (!settled) fail(errorFromNetworkFailure(error, context));
        return;
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (!settled) fail(errorFromNetworkFailure(error, context));
        return;
      }
      if (settled) return;
      if (!response.ok) {
        fail(errorFromHttpResponse(response.status, text, context, response.headers.get('retry-after')));
        return;
      }
      const value = exchange.read(text);
      settled = true;
      subscriber.next(value);
      subscriber.complete();
    };
    run().catch((error: unknown) => fail(errorFromNetworkFailure(error, context)));

    return () => {
      signal?.removeEventListener('abort', onAbort);
      timer?.unsubscribe();
      if (!settled) {
        settled = true;
        controller.abort();
      }
    };
  });
}
