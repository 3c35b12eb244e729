/**
 * Per-call timeout and AbortSignal, the same for every transport.
 * @module
 */
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';
import { CancelledError, type ErrorContext, TimeoutError } from '../errors/kiss-error.js';

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

/**
 * Runs `source` per subscription, failing it with a {@link TimeoutError} after `timeout` ms and
 * with a {@link CancelledError} when `signal` aborts. Either way the source is unsubscribed, which
 * is what cancels the request (an aborted fetch, a socket request leaving its queue).
 * @internal
 */
export function guardCall<T>(
  source: Observable<T>,
  context: ErrorContext,
  options: { timeout: number; signal?: AbortSignal; scheduler?: SchedulerLike },
): Observable<T> {
  const { timeout, signal } = options;
  if (timeout <= 0 && !signal) return source;
  return new Observable<T>((subscriber) => {
    if (signal?.aborted) {
      subscriber.error(new CancelledError(context));
      return;
    }
    // A plain observer, not `subscriber` itself: rxjs would otherwise tie the inner subscription to
    // the outer subscriber, and unsubscribing the inner one would silence the error below.
    const inner = source.subscribe({
      next: (value) => subscriber.next(value),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    const fail = (error: Error) => {
      inner.unsubscribe();
      subscriber.error(error);
    };
    const onAbort = () => fail(new CancelledError(context));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeout > 0 ? (options.scheduler ?? asyncScheduler).schedule(() => fail(new TimeoutError(timeout, context)), timeout) : undefined;
    return () => {
      signal?.removeEventListener('abort', onAbort);
      timer?.unsubscribe();
      inner.unsubscribe();
    };
  });
}
