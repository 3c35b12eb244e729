/**
 * The browser build's stand-in for async-scheduler.ts: a browser has no unref'd timers, so RxJS's
 * `asyncScheduler`, when given, is used as any other scheduler is (its actions time the deadline
 * queue), and browser bundles need not import the async scheduler to recognise it.
 * @module
 */
import type { SchedulerLike } from 'rxjs';

/**
 * Always false (see the module's comment).
 * @internal
 */
export function isAsyncScheduler(_scheduler: SchedulerLike): boolean {
  return false;
}
