/**
 * One lifecycle call as one cold Observable. The transports below it work with callbacks, not
 * Observables: a busy socket settles thousands of calls a second, and each layer of Observables
 * would cost more than the matching itself. Timeout and AbortSignal are handled here, the same
 * for every transport.
 * @module
 */
import { Observable } from 'rxjs';
import { CancelledError, type ErrorContext, KissError, KissTimeoutError } from '../errors/kiss-error.js';
import { errorFromNetworkFailure } from '../errors/from-response.js';
import type { DeadlineQueue } from './deadlines.js';

/**
 * Per-call options accepted by every lifecycle method.
 * @category Client
 */
export interface CallOptions {
  /** Cancels the call; the Observable then errors with a {@link CancelledError}. */
  signal?: AbortSignal;
  /**
   * Milliseconds the whole call may take, retries included, before failing with a
   * {@link KissTimeoutError}; 0 disables. @default the client's `timeout`
   */
  timeout?: number;
  /**
   * Milliseconds one attempt may take, when a session retries within `timeout`; 0 means no limit
   * beyond `timeout`. @default 0
   */
  attemptTimeout?: number;
}

/** @internal How a transport reports the outcome of one request. */
export interface Settle<T> {
  ok(value: T): void;
  fail(error: KissError): void;
}

/** @internal Starts one request; returns the function that cancels it. */
export type Start<B, T> = (body: B, settle: Settle<T>) => () => void;

/** @internal */
export interface CallSpec<B, R, T> {
  context: ErrorContext;
  /** Builds the wire body at subscription; may throw a KissError, may be async (file reading). */
  body: () => B | Promise<B>;
  start: Start<B, R>;
  /** Turns the transport's result into the emitted value; may throw a KissError. */
  read: (result: R) => T;
  timeout: number;
  signal?: AbortSignal;
  deadlines: DeadlineQueue;
}

const asKissError = (error: unknown, context: ErrorContext): KissError =>
  error instanceof KissError ? error : errorFromNetworkFailure(error, context);

/**
 * Runs a call per subscription: nothing happens until subscribed, unsubscribing cancels the request.
 * @internal
 */
export function call<B, R, T>(spec: CallSpec<B, R, T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const { context, signal } = spec;
    if (signal?.aborted) {
      subscriber.error(new CancelledError(context));
      return;
    }
    let cancel: (() => void) | undefined;
    let done = false;
    const finish = () => {
      done = true;
      cancelTimeout?.();
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: KissError) => {
      if (done) return;
      finish();
      cancel?.();
      subscriber.error(error);
    };
    const settle: Settle<R> = {
      ok: (result) => {
        if (done) return;
        let value: T;
        try {
          value = spec.read(result);
        } catch (error) {
          return fail(asKissError(error, context));
        }
        finish();
        subscriber.next(value);
        subscriber.complete();
      },
      fail,
    };
    const onAbort = () => fail(new CancelledError(context));
    signal?.addEventListener('abort', onAbort, { once: true });
    const cancelTimeout = spec.timeout > 0 ? spec.deadlines.add(spec.timeout, () => fail(new KissTimeoutError(spec.timeout, context))) : undefined;

    let body: B | Promise<B>;
    try {
      body = spec.body();
    } catch (error) {
      fail(asKissError(error, context));
      return;
    }
    if (body instanceof Promise) {
      body.then(
        (ready) => {
          if (!done) cancel = spec.start(ready, settle);
        },
        (error: unknown) => fail(asKissError(error, context)),
      );
    } else {
      cancel = spec.start(body, settle);
    }
    return () => {
      if (done) return;
      finish();
      cancel?.();
    };
  });
}
