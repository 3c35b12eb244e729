/**
 * Per-call timeouts share one timer: a queue of deadlines ordered by time, with a single scheduled
 * action for the earliest. Calls come and go by the thousand on a busy socket; one timer each
 * would cost more than the request itself. Time comes from the injected scheduler, so tests can
 * run it in virtual time.
 * @module
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { isAsyncScheduler } from './async-scheduler.js';
import { defaultScheduler } from './rx.js';

/** setTimeout's largest delay (about 24.8 days); a longer one fires at once, so timers are armed for at most this. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One entry of the queue. Owners that arm timers over and over (a socket's ping and idle checks)
 * pass their own small objects through {@link DeadlineQueue.schedule} instead of a closure each;
 * an entry is scheduled once: arm a new one rather than rescheduling a fired or cancelled one.
 * @internal
 */
export interface Deadline {
  /** When it fires, in the scheduler's time. */
  readonly at: number;
  /** Called once at `at`, unless cancelled first. */
  fire(): void;
  /** Set by the queue when it fired or was cancelled. */
  cancelled: boolean;
}

const noop = (): void => undefined;

/** @internal */
export class DeadlineQueue {
  /** Sorted by `at`; cancelled entries are left in place and skipped (and compacted when many). */
  private queue: Deadline[] = [];
  private cancelled = 0;
  private timer: Pick<Subscription, 'unsubscribe'> | undefined;
  private timerAt = Infinity;

  constructor(private readonly scheduler: SchedulerLike) {
    this.native = scheduler === defaultScheduler || isAsyncScheduler(scheduler);
  }

  /**
   * With the default scheduler (or RxJS's asyncScheduler, in Node) the timer is a native, unref'd
   * timeout: it never keeps a process alive, so it can stay armed while the queue is empty instead
   * of being re-armed for every call.
   * An injected scheduler (virtual time in tests) gets a scheduled action, cleared when unused.
   */
  private readonly native: boolean;

  /** Calls `fire` after `delayMs`, unless the returned function is called first. */
  add(delayMs: number, fire: () => void): () => void {
    const deadline: Deadline = { at: this.scheduler.now() + delayMs, fire, cancelled: false };
    this.schedule(deadline);
    return () => {
      // A cancelled entry stays queued until it reaches the head (or the queue is compacted):
      // let go of what `fire` holds (a call and its subscriber) now, not then.
      deadline.fire = noop;
      this.cancel(deadline);
    };
  }

  /** Fires `deadline` at its `at`, unless {@link cancel} is called with it first. */
  schedule(deadline: Deadline): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.at > deadline.at) i--;
    if (i === this.queue.length) this.queue.push(deadline);
    else this.queue.splice(i, 0, deadline);
    this.arm();
  }

  /**
   * Cancels a scheduled deadline; a fired or cancelled one is left alone. The entry may stay queued
   * for a while (it is skipped): an owner that wants what it references freed drops that itself.
   */
  cancel(deadline: Deadline): void {
    if (deadline.cancelled) return;
    deadline.cancelled = true;
    if (++this.cancelled === this.queue.length) {
      this.queue = [];
      this.cancelled = 0;
      if (!this.native) this.arm();
    } else if (this.cancelled > 64 && this.cancelled > this.queue.length / 2) {
      this.queue = this.queue.filter((d) => !d.cancelled);
      this.cancelled = 0;
    }
  }

  private arm(): void {
    while (this.queue[0]?.cancelled) {
      this.queue.shift();
      this.cancelled--;
    }
    const head = this.queue[0];
    if (!head) {
      if (this.native) return; // an armed native timer fires, finds nothing, and stops
      this.timer?.unsubscribe();
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer && this.timerAt <= head.at) return;
    this.timer?.unsubscribe();
    this.timerAt = head.at;
    // A deadline beyond setTimeout's range is reached in steps: the timer fires, finds nothing due, re-arms.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, head.at - this.scheduler.now()));
    this.timer = this.native ? unrefTimeout(() => this.expire(), delay) : this.scheduler.schedule(() => this.expire(), delay);
  }

  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.scheduler.now();
    while (this.queue.length && this.queue[0]!.at <= now) {
      const deadline = this.queue.shift()!;
      if (deadline.cancelled) this.cancelled--;
      else {
        deadline.cancelled = true;
        deadline.fire();
      }
    }
    this.arm();
  }
}

/** A native timeout that does not keep the process alive, as a Subscription-like handle. */
function unrefTimeout(fire: () => void, delay: number): Pick<Subscription, 'unsubscribe'> {
  const handle = setTimeout(fire, delay) as unknown as { unref?: () => void };
  handle.unref?.();
  return { unsubscribe: () => clearTimeout(handle as unknown as ReturnType<typeof setTimeout>) };
}

/** One queue per scheduler, shared by every client and session that uses it. */
const shared = new WeakMap<SchedulerLike, DeadlineQueue>();

/**
 * The deadline queue of `scheduler`, shared: one timer serves every call of every client in the
 * process, and a client or session costs no queue of its own.
 * @internal
 */
export function deadlinesFor(scheduler: SchedulerLike): DeadlineQueue {
  let queue = shared.get(scheduler);
  if (!queue) {
    queue = new DeadlineQueue(scheduler);
    shared.set(scheduler, queue);
  }
  return queue;
}
