/**
 * Retrying a failed call with exponential backoff and jitter, as an RxJS operator. What is worth
 * retrying is decided in classify.ts; this file only decides when.
 * @module
 */
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { retryAfter } from '../call/rx.js';
import { HttpError, type KissError, type Step } from '../errors/kiss-error.js';
import { isRetryable } from './classify.js';

/**
 * How a session retries failed calls. Network failures, 429, 502/503/504 and socket drops under an
 * ask are retried; other 4xx, a 500, misuse and stores that may have reached the server are not
 * (see the classifier in `lib/retry/classify.ts`). `Retry-After` is honoured, within `maxDelay`.
 *
 * @example
 * ```ts
 * openSession({ url, retry: { maxAttempts: 6, baseDelay: 100, shouldRetry: (e) => e.kind !== 'transport' } });
 * ```
 * @category Retry
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; 1 disables retrying. @default 4 */
  maxAttempts?: number;
  /** Delay before the first retry, in ms; doubles with each retry. @default 200 */
  baseDelay?: number;
  /** Longest delay between attempts, in ms (also caps `Retry-After`). @default 5000 */
  maxDelay?: number;
  /** Randomise each delay between half and all of it, so many clients do not retry in step. @default true */
  jitter?: boolean;
  /** Resend a store whose outcome is unknown (the server may store it twice). @default false */
  resendStores?: boolean;
  /** Your last word on an error the policy would retry: return false to stop. @default () => true */
  shouldRetry?: (error: KissError, attempt: number) => boolean;
}

/**
 * A retry the policy scheduled.
 * @category Retry
 */
export interface RetryInfo {
  /** The step being retried. */
  step: Step;
  /** The retry about to happen: 1 for the first retry. */
  attempt: number;
  /** How long until it, in ms. */
  delayMs: number;
  /** The error that caused it. */
  error: KissError;
}

/** @internal The delay before retry number `attempt` (1-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, error: KissError, random: () => number = Math.random): number {
  const base = policy.baseDelay ?? 200;
  const max = policy.maxDelay ?? 5000;
  if (error instanceof HttpError && error.retryAfterMs !== undefined) return Math.min(max, error.retryAfterMs);
  const exponential = Math.min(max, base * 2 ** (attempt - 1));
  return policy.jitter === false ? exponential : Math.round(exponential * (0.5 + random() / 2));
}

/**
 * How long to wait before retry number `attempt` (1-based) after `error`, or undefined when the
 * error must not be retried (the classifier, the attempts left, or the user's `shouldRetry` say so).
 * @internal
 */
export function nextRetryDelay(step: Step, policy: RetryPolicy, error: unknown, attempt: number, random?: () => number): number | undefined {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? 4);
  if (attempt >= maxAttempts) return undefined;
  if (!isRetryable(error, step, { resendStores: policy.resendStores ?? false })) return undefined;
  if (policy.shouldRetry && !policy.shouldRetry(error as KissError, attempt)) return undefined;
  return backoffDelay(policy, attempt, error as KissError, random);
}

/**
 * Resubscribes to the source after a retryable failure, waiting the backoff on `scheduler`.
 * @internal
 */
export function retryWithPolicy<T>(
  step: Step,
  policy: RetryPolicy,
  scheduler: SchedulerLike,
  onRetry?: (info: RetryInfo) => void,
  random?: () => number,
): MonoTypeOperatorFunction<T> {
  return retryAfter((error: unknown, attempt: number) => {
    const delayMs = nextRetryDelay(step, policy, error, attempt, random);
    if (delayMs === undefined) throw error;
    onRetry?.({ step, attempt, delayMs, error: error as KissError });
    return delayMs;
  }, scheduler);
}
