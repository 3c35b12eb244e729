/**
 * Whether a scheduler is RxJS's `asyncScheduler`. The deadline queue treats it as it treats the
 * client's default scheduler: real time, served by one native timeout that is unref'd in Node, so
 * that a client given `scheduler: asyncScheduler` (the compat classes' default) never keeps a
 * process alive by its timers. The package's `browser` field maps this module to
 * async-scheduler.browser.ts, so browser bundles do not carry the async scheduler for this check.
 * @module
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';

/** @internal */
export function isAsyncScheduler(scheduler: SchedulerLike): boolean {
  return scheduler === asyncScheduler;
}
