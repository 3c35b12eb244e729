/**
 * The few higher-order RxJS operators lib/ uses, and the default scheduler, written small.
 *
 * RxJS's own `defer`, `of`, `switchMap`, `mergeMap`, `concatMap`, `catchError`, `retry` and
 * `shareReplay` accept any ObservableInput (promises, arrays, iterables, async iterables, readable
 * streams): that interop (`innerFrom`, with tslib's async-iterator helpers), the async scheduler
 * behind `timer` and `asyncScheduler`, and `ReplaySubject` were a third of what a browser bundle of
 * this client carried. The versions here take Observables only (promises go through
 * {@link deferAsync}) and otherwise behave as RxJS 7's do, line for line where it matters:
 * - a value is projected when it arrives, and a throw from the project function (or selector,
 *   or delay function) becomes the error notification;
 * - inner subscriptions are children of the subscriber: unsubscribing cancels every one of them,
 *   and each is let go of when it ends;
 * - `switchMap` unsubscribes the previous inner before projecting the next value; `mergeMap`
 *   buffers values beyond `concurrent` and starts the next one only after an inner has completed
 *   and been torn down (so `concatMap`'s teardowns run before the next subscription);
 * - `catchError` and `retryAfter` subscribe to the replacement only after the failed
 *   subscription is torn down, also when the source fails synchronously;
 * - `of` emits synchronously; `defer` calls its factory at each subscription.
 * @internal
 * @module
 */
import {
  type MonoTypeOperatorFunction,
  Observable,
  type OperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  Subscriber,
  Subscription,
} from 'rxjs';

/**
 * A subscriber on behalf of `destination`, as RxJS's operators subscribe to their sources (its
 * internal OperatorSubscriber): a child of `destination` (torn down with it, and let go of when it
 * ends), deaf once stopped, and a throw from a hook becomes `destination`'s error. A hook left out
 * forwards its notification to `destination`; `onFinalize` runs once, after the teardown, however
 * the subscription ended.
 */
class Relay<T> extends Subscriber<T> {
  constructor(
    destination: Subscriber<never>,
    private readonly onNext?: (value: T) => void,
    private readonly onError?: (error: unknown) => void,
    private readonly onComplete?: () => void,
    private readonly onFinalize?: () => void,
  ) {
    super(destination);
  }

  protected override _next(value: T): void {
    if (!this.onNext) return super._next(value);
    try {
      this.onNext(value);
    } catch (error) {
      this.destination.error(error);
    }
  }

  protected override _error(error: unknown): void {
    const { onError } = this;
    if (!onError) return super._error(error);
    this.end(() => onError(error));
  }

  protected override _complete(): void {
    if (!this.onComplete) return super._complete();
    this.end(this.onComplete);
  }

  /** Runs the hook of the last notification (a throw is `destination`'s error), then tears down. */
  private end(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      this.destination.error(error);
    } finally {
      this.unsubscribe();
    }
  }

  override unsubscribe(): void {
    const { closed } = this;
    super.unsubscribe();
    if (!closed) this.onFinalize?.();
  }
}

/** As RxJS's `map`: each value through `project` (a throw is the error). */
export function map<T, R>(project: (value: T) => R): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      source.subscribe(new Relay<T>(subscriber, (value) => subscriber.next(project(value))));
    });
}

/** As RxJS's `tap(next)`: `effect` sees each value before it is passed on (a throw is the error). */
export function tap<T>(effect: (value: T) => void): MonoTypeOperatorFunction<T> {
  return map((value) => (effect(value), value));
}

/** As RxJS's `finalize`: `callback` runs once, after the subscription's teardown, however it ended. */
export function finalize<T>(callback: () => void): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      try {
        source.subscribe(subscriber);
      } finally {
        subscriber.add(callback);
      }
    });
}

/** As RxJS's `defer`: calls `factory` at each subscription (a throw is the error) and subscribes to what it returns. */
export function defer<T>(factory: () => Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    factory().subscribe(subscriber);
  });
}

/**
 * As RxJS's `defer(() => promise)`: calls `start` at each subscription and emits what its promise
 * resolves to, then completes, or errors with its rejection. Unsubscribing does not stop the work;
 * its outcome is dropped.
 */
export function deferAsync<T>(start: () => PromiseLike<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    start().then(
      (value) => {
        if (subscriber.closed) return;
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => subscriber.error(error),
    );
  });
}

/** As RxJS's `of(value)`: emits `value` and completes, synchronously. */
export function of<T>(value: T): Observable<T> {
  return new Observable<T>((subscriber) => {
    subscriber.next(value);
    subscriber.complete();
  });
}

/**
 * As RxJS's `switchMap`: each value cancels the inner subscription of the one before it, then
 * subscribes to its own; completes once the source and the last inner have.
 */
export function switchMap<T, R>(project: (value: T, index: number) => Observable<R>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let inner: Relay<R> | undefined;
      let index = 0;
      let sourceDone = false;
      const checkComplete = () => {
        if (sourceDone && !inner) subscriber.complete();
      };
      const innerDone = () => {
        inner = undefined;
        checkComplete();
      };
      source.subscribe(
        new Relay<T>(
          subscriber,
          (value) => {
            inner?.unsubscribe();
            // Made before subscribing, so that a value emitted during the subscription cancels it.
            project(value, index++).subscribe((inner = new Relay<R>(subscriber, undefined, undefined, innerDone)));
          },
          undefined,
          () => {
            sourceDone = true;
            checkComplete();
          },
        ),
      );
    });
}

/**
 * As RxJS's `mergeMap`: up to `concurrent` inner subscriptions at once, further values buffered
 * until one completes; completes once the source has and every inner has.
 */
export function mergeMap<T, R>(project: (value: T, index: number) => Observable<R>, concurrent = Infinity): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const buffer: T[] = [];
      let active = 0;
      let index = 0;
      let sourceDone = false;
      const checkComplete = () => {
        if (sourceDone && !buffer.length && !active) subscriber.complete();
      };
      const subscribeInner = (value: T): void => {
        active++;
        let completed = false;
        project(value, index++).subscribe(
          new Relay<R>(
            subscriber,
            undefined,
            undefined,
            () => {
              completed = true;
            },
            // After the inner's teardown: only then does the next buffered value start.
            () => {
              if (!completed) return;
              try {
                active--;
                while (buffer.length && active < concurrent) subscribeInner(buffer.shift()!);
                checkComplete();
              } catch (error) {
                subscriber.error(error);
              }
            },
          ),
        );
      };
      source.subscribe(
        new Relay<T>(
          subscriber,
          (value) => (active < concurrent ? subscribeInner(value) : buffer.push(value)),
          undefined,
          () => {
            sourceDone = true;
            checkComplete();
          },
        ),
      );
    });
}

/** As RxJS's `concatMap`: one inner subscription at a time, in order (`mergeMap` with a concurrency of 1). */
export function concatMap<T, R>(project: (value: T, index: number) => Observable<R>): OperatorFunction<T, R> {
  return mergeMap(project, 1);
}

/**
 * As RxJS's `catchError`: on an error, subscribes to what `selector` returns for it instead (`caught`
 * is the source with this operator again, to resubscribe to it); a throw from `selector` is the error.
 */
export function catchError<T, R>(selector: (error: unknown, caught: Observable<T>) => Observable<R>): OperatorFunction<T, T | R> {
  return (source) =>
    new Observable<T | R>((subscriber) => {
      let current: Subscription | undefined;
      let failedSynchronously = false;
      let replacement: Observable<R> | undefined;
      current = source.subscribe(
        new Relay<T>(subscriber, undefined, (error) => {
          // `caught` is typed as RxJS types it (its values may in fact be the selector's too).
          replacement = selector(error, catchError(selector)(source) as Observable<T>);
          if (current) {
            current.unsubscribe();
            current = undefined;
            replacement.subscribe(subscriber);
          } else {
            failedSynchronously = true;
          }
        }),
      );
      if (failedSynchronously) {
        current.unsubscribe();
        current = undefined;
        replacement!.subscribe(subscriber);
      }
    });
}

/**
 * As RxJS's `retry({ delay: (error, attempt) => timer(delayFor(error, attempt), scheduler) })`:
 * after an error, waits the number of ms `delayFor` returns on `scheduler` and subscribes to the
 * source again. `attempt` counts from 1 and is never reset; a throw from `delayFor` is the error
 * (throw the error itself to stop retrying).
 */
export function retryAfter<T>(delayFor: (error: unknown, attempt: number) => number, scheduler: SchedulerLike): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let attempts = 0;
      let current: Subscription | undefined;
      const subscribeForRetry = () => {
        let resubscribeSynchronously = false;
        current = source.subscribe(
          new Relay<T>(subscriber, undefined, (error) => {
            const delay = delayFor(error, ++attempts);
            const resubscribe = () => {
              if (current) {
                current.unsubscribe();
                current = undefined;
                subscribeForRetry();
              } else {
                resubscribeSynchronously = true;
              }
            };
            const wait: Relay<0> = new Relay<0>(
              subscriber,
              () => {
                wait.unsubscribe();
                resubscribe();
              },
              undefined,
              () => subscriber.complete(),
            );
            timer(delay, scheduler).subscribe(wait);
          }),
        );
        if (resubscribeSynchronously) {
          current.unsubscribe();
          current = undefined;
          subscribeForRetry();
        }
      };
      subscribeForRetry();
    });
}

/** As RxJS's `timer(delay, scheduler)`: emits 0 after `delay` ms (at once when negative), then completes. */
function timer(delay: number, scheduler: SchedulerLike): Observable<0> {
  return new Observable<0>((subscriber) =>
    scheduler.schedule(() => {
      if (subscriber.closed) return;
      subscriber.next(0);
      subscriber.complete();
    }, Math.max(0, delay)),
  );
}

/**
 * What lib/ needs of a Subject, without RxJS's Subject class (with its error classes, 3 KB of a
 * browser bundle): `next`, `error` and `complete` reach every subscriber subscribed when they are
 * called (a snapshot, as a Subject's: one added during a `next` gets the values after it); a
 * subscriber added once it has ended gets the end at once. Subscribers are RxJS Subscribers, which
 * catch what an observer throws, so one cannot stop the others.
 */
export class Multicast<T> {
  /** Replaced, never changed in place: a delivery in progress keeps its snapshot. */
  #subscribers: readonly Subscriber<T>[] = [];
  #end: { error: unknown } | 'complete' | undefined;

  /** Adds `subscriber` until it unsubscribes, or ends it at once when this has ended. */
  subscribe(subscriber: Subscriber<T>): void {
    const end = this.#end;
    if (end) return end === 'complete' ? subscriber.complete() : subscriber.error(end.error);
    this.#subscribers = [...this.#subscribers, subscriber];
    subscriber.add(() => (this.#subscribers = this.#subscribers.filter((s) => s !== subscriber)));
  }

  next(value: T): void {
    if (!this.#end) for (const subscriber of this.#subscribers) subscriber.next(value);
  }

  error(error: unknown): void {
    this.#finish({ error });
  }

  complete(): void {
    this.#finish('complete');
  }

  #finish(end: { error: unknown } | 'complete'): void {
    if (this.#end) return;
    this.#end = end;
    const subscribers = this.#subscribers;
    this.#subscribers = [];
    for (const subscriber of subscribers) {
      if (end === 'complete') subscriber.complete();
      else subscriber.error(end.error);
    }
  }
}

/** One connection of {@link shareReplayOne}: its subject, and the last value it relayed (as a ReplaySubject(1)). */
interface Replay<T> {
  readonly subject: Multicast<T>;
  hasValue: boolean;
  value: T | undefined;
  completed: boolean;
}

/**
 * As RxJS's `shareReplay({ bufferSize: 1, refCount: false })`: the first subscription subscribes to
 * the source, which then runs to its end whoever unsubscribes; every subscriber gets the last value
 * seen and what follows, and once the source has completed, the last value and completion. After
 * an error the next subscription subscribes to the source again.
 */
export function shareReplayOne<T>(): MonoTypeOperatorFunction<T> {
  return (source) => {
    let replay: Replay<T> | undefined;
    let connected = false;
    let subscribers = 0;
    return new Observable<T>((subscriber) => {
      subscribers++;
      const dest = (replay ??= { subject: new Multicast<T>(), hasValue: false, value: undefined, completed: false });
      subscriber.add(() => {
        subscribers--;
      });
      if (dest.completed) {
        if (dest.hasValue) subscriber.next(dest.value as T);
        subscriber.complete();
      } else {
        dest.subject.subscribe(subscriber);
        if (dest.hasValue) subscriber.next(dest.value as T);
      }
      if (connected || subscribers === 0) return;
      connected = true;
      source.subscribe({
        next: (value) => {
          dest.value = value;
          dest.hasValue = true;
          dest.subject.next(value);
        },
        error: (error: unknown) => {
          replay = undefined;
          connected = false;
          dest.subject.error(error);
        },
        complete: () => {
          dest.completed = true;
          dest.subject.complete();
        },
      });
    });
  };
}

/**
 * An action of {@link defaultScheduler}: one setTimeout, cleared when unsubscribed. Calling
 * `this.schedule(state, delay)` from the work schedules it again; otherwise it ends once run.
 */
class TimeoutAction<T> extends Subscription implements SchedulerAction<T> {
  private handle: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly work: (this: SchedulerAction<T>, state?: T) => void) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = setTimeout(runAction, delay, this, state);
    return this;
  }

  /** @internal Its timeout fired. */
  run(state: T | undefined): void {
    this.handle = undefined;
    try {
      this.work(state);
    } catch (error) {
      this.unsubscribe();
      throw error;
    }
    if (this.handle === undefined) this.unsubscribe();
  }

  override unsubscribe(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    super.unsubscribe();
  }
}

function runAction<T>(action: TimeoutAction<T>, state: T | undefined): void {
  action.run(state);
}

/**
 * The scheduler of clients and sessions given none: real time, as RxJS's `asyncScheduler` (whose
 * actions are timers as these are, and whose clock is `Date.now()`), without its machinery. Its
 * timers keep Node running, as asyncScheduler's do; the deadline queue arms an unref'd timeout of
 * its own for it instead of an action (see deadlines.ts).
 */
export const defaultScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new TimeoutAction(work).schedule(state, delay);
  },
};
