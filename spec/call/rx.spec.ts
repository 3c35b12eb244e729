// lib/call/rx.ts stands in for RxJS's higher-order operators. Most cases here run twice, once with
// the helpers and once with RxJS's own operators: the expectations are RxJS's behaviour (the RxJS
// run proves that), and the helpers must meet them exactly.
import * as rxjs from 'rxjs';
import { finalize, firstValueFrom, lastValueFrom, Observable, type OperatorFunction, type MonoTypeOperatorFunction, type SchedulerAction, type SchedulerLike, Subject, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import * as rx from '../../lib/call/rx';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** The operators under test, as the helpers provide them and as RxJS does. */
interface Operators {
  switchMap<T, R>(project: (value: T, index: number) => Observable<R>): OperatorFunction<T, R>;
  mergeMap<T, R>(project: (value: T, index: number) => Observable<R>, concurrent?: number): OperatorFunction<T, R>;
  concatMap<T, R>(project: (value: T, index: number) => Observable<R>): OperatorFunction<T, R>;
  catchError<T, R>(selector: (error: unknown, caught: Observable<T>) => Observable<R>): OperatorFunction<T, T | R>;
  retryAfter<T>(delayFor: (error: unknown, attempt: number) => number, scheduler: SchedulerLike): MonoTypeOperatorFunction<T>;
  shareReplayOne<T>(): MonoTypeOperatorFunction<T>;
  defer<T>(factory: () => Observable<T>): Observable<T>;
  map<T, R>(project: (value: T) => R): OperatorFunction<T, R>;
  tap<T>(effect: (value: T) => void): MonoTypeOperatorFunction<T>;
  finalize<T>(callback: () => void): MonoTypeOperatorFunction<T>;
}

const implementations: Array<[string, Operators]> = [
  ['lib/call/rx', rx],
  [
    'rxjs',
    {
      switchMap: rxjs.switchMap,
      mergeMap: (project, concurrent) => rxjs.mergeMap(project, concurrent),
      concatMap: rxjs.concatMap,
      catchError: rxjs.catchError,
      retryAfter: (delayFor, scheduler) => rxjs.retry({ delay: (error, attempt) => rxjs.timer(delayFor(error, attempt), scheduler) }),
      shareReplayOne: () => rxjs.shareReplay({ bufferSize: 1, refCount: false }),
      defer: rxjs.defer,
      map: (project) => rxjs.map((value) => project(value)),
      tap: (effect) => rxjs.tap(effect),
      finalize: rxjs.finalize,
    },
  ],
];

/** An Observable that logs its subscription and its teardown (with the virtual time, if any). */
function probe<T>(log: string[], name: string, inner: Observable<T>, now: () => number = () => 0): Observable<T> {
  return new Observable<T>((subscriber) => {
    log.push(`+${name}@${now()}`);
    const subscription = inner.subscribe(subscriber);
    return () => {
      log.push(`-${name}@${now()}`);
      subscription.unsubscribe();
    };
  });
}

describe.each(implementations)('%s', (_name, op) => {
  describe('switchMap', () => {
    it('cancels the previous inner subscription when a value comes, and completes after the last inner', () => {
      newScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const x = cold('--1--2--3|');
        const y = cold('--4--5|');
        const source = hot('-a-----b---|', { a: x, b: y });
        expectObservable(source.pipe(op.switchMap((inner) => inner))).toBe('---1--2--4--5|');
        expectSubscriptions(x.subscriptions).toBe('-^-----!');
        expectSubscriptions(y.subscriptions).toBe('-------^-----!');
        expectSubscriptions(source.subscriptions).toBe('^----------!');
      });
    });

    it('passes each value its index', () => {
      newScheduler().run(({ hot, expectObservable }) => {
        const source = hot('-a-b-c|');
        expectObservable(source.pipe(op.switchMap((value, index) => rxjs.of(`${value}${index}`)))).toBe('-a-b-c|', { a: 'a0', b: 'b1', c: 'c2' });
      });
    });

    it('errors with what the project function throws, and stops the source', () => {
      newScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-|');
        const project = (value: string) => {
          if (value === 'b') throw new Error('project');
          return cold('-1|');
        };
        expectObservable(source.pipe(op.switchMap(project))).toBe('--1#', undefined, new Error('project'));
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('errors when an inner errors, and stops the source', () => {
      newScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('-a---|');
        expectObservable(source.pipe(op.switchMap(() => cold('-1#')))).toBe('--1#');
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('cancels the source and the inner when unsubscribed', () => {
      newScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const inner = cold('-1-2-3-4|');
        const source = hot('-a-------|');
        expectObservable(source.pipe(op.switchMap(() => inner)), '^----!').toBe('--1-2');
        expectSubscriptions(source.subscriptions).toBe('^----!');
        expectSubscriptions(inner.subscriptions).toBe('-^---!');
      });
    });

    it('cancels an inner that is still subscribing when its own value brings the next one', () => {
      const log: string[] = [];
      const source = new Subject<string>();
      source
        .pipe(
          op.switchMap(
            (value) =>
              new Observable<string>((subscriber) => {
                log.push(`subscribed ${value}`);
                subscriber.next(value);
                subscriber.next(`${value} again`);
                return () => log.push(`torn down ${value}`);
              }),
          ),
        )
        .subscribe((value) => {
          log.push(`got ${value}`);
          if (value === 'a') source.next('b');
        });
      source.next('a');
      expect(log).toEqual(['subscribed a', 'got a', 'subscribed b', 'got b', 'got b again', 'torn down a']);
    });
  });

  describe('mergeMap', () => {
    it('runs at most `concurrent` inners, starting a buffered value when one completes', () => {
      const test = newScheduler();
      test.run(({ hot, cold, expectObservable }) => {
        const log: string[] = [];
        const source = hot('-a-b-c-d---|');
        const result = source.pipe(op.mergeMap((value) => probe(log, value, cold('----x|', { x: value }), () => test.now()), 2));
        expectObservable(result).toBe('-----a-b--c-d|');
        test.flush();
        expect(log).toEqual(['+a@1', '+b@3', '-a@6', '+c@6', '-b@8', '+d@8', '-c@11', '-d@13']);
      });
    });

    it('runs every value at once by default', () => {
      newScheduler().run(({ hot, cold, expectObservable }) => {
        const source = hot('-a-b-c|');
        expectObservable(source.pipe(op.mergeMap((value) => cold('----x|', { x: value })))).toBe('-----a-b-c|');
      });
    });

    it('errors when the project function throws, also for a buffered value', () => {
      newScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b---|');
        const project = (value: string) => {
          if (value === 'b') throw new Error('project');
          return cold('---x|', { x: value });
        };
        expectObservable(source.pipe(op.mergeMap(project, 1))).toBe('----a#', undefined, new Error('project'));
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('errors when an inner errors, cancelling the other inners and the source', () => {
      newScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const long = cold('-----x|');
        const failing = cold('-#');
        const source = hot('-a-b--|', { a: long, b: failing });
        expectObservable(source.pipe(op.mergeMap((inner) => inner))).toBe('----#');
        expectSubscriptions(long.subscriptions).toBe('-^--!');
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
    });

    it('cancels every inner and the source when unsubscribed', () => {
      newScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const a = cold('------x|');
        const b = cold('------y|');
        const source = hot('-a-b---|', { a, b });
        expectObservable(source.pipe(op.mergeMap((inner) => inner)), '^----!').toBe('');
        expectSubscriptions(a.subscriptions).toBe('-^---!');
        expectSubscriptions(b.subscriptions).toBe('---^-!');
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('errors when the source errors', () => {
      newScheduler().run(({ hot, cold, expectObservable }) => {
        expectObservable(hot('-a-#').pipe(op.mergeMap(() => cold('-----x|')))).toBe('---#');
      });
    });
  });

  describe('concatMap', () => {
    it('tears down each inner before subscribing to the next, in order', () => {
      const log: string[] = [];
      rxjs
        .of('a', 'b')
        .pipe(op.concatMap((value) => probe(log, value, rxjs.of(value).pipe(finalize(() => log.push(`finalized ${value}`))))))
        .subscribe({ next: (value) => log.push(`got ${value}`), complete: () => log.push('complete') });
      expect(log).toEqual(['+a@0', 'got a', 'finalized a', '-a@0', '+b@0', 'got b', 'finalized b', '-b@0', 'complete']);
    });

    it('answers one value at a time, in order', () => {
      newScheduler().run(({ hot, cold, expectObservable }) => {
        const source = hot('-a-b-c|');
        expectObservable(source.pipe(op.concatMap((value) => cold('---x|', { x: value })))).toBe('----a---b---c|');
      });
    });
  });

  describe('catchError', () => {
    it('subscribes to the replacement once the source has failed', () => {
      newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-#');
        const replacement = cold('-b|');
        expectObservable(source.pipe(op.catchError(() => replacement))).toBe('-a--b|');
        expectSubscriptions(source.subscriptions).toBe('^--!');
        expectSubscriptions(replacement.subscriptions).toBe('---^-!');
      });
    });

    it('passes values and completion through', () => {
      newScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b|').pipe(op.catchError(() => cold('-x|')))).toBe('-a-b|');
      });
    });

    it('errors with what the selector throws', () => {
      newScheduler().run(({ cold, expectObservable }) => {
        const selector = () => {
          throw new Error('selector');
        };
        expectObservable(cold('-a-#').pipe(op.catchError(selector))).toBe('-a-#', undefined, new Error('selector'));
      });
    });

    it('resubscribes to the source through `caught`', () => {
      newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a#');
        expectObservable(source.pipe(op.catchError((_error, caught) => caught), take(3))).toBe('-a-a-(a|)');
        expectSubscriptions(source.subscriptions).toBe(['^-!', '--^-!', '----^!']);
      });
    });

    it('tears the failed source down before subscribing to the replacement, also when it fails synchronously', () => {
      const log: string[] = [];
      const failing = probe(log, 'source', rxjs.throwError(() => new Error('sync')).pipe(finalize(() => log.push('source finalized'))));
      failing.pipe(op.catchError(() => probe(log, 'replacement', rxjs.of('r')))).subscribe({ next: (v) => log.push(`got ${v}`), complete: () => log.push('complete') });
      expect(log).toEqual(['+source@0', 'source finalized', '-source@0', '+replacement@0', 'got r', 'complete', '-replacement@0']);
    });

    it('tears the failed source down before subscribing to the replacement when it fails later', () => {
      const log: string[] = [];
      const source = new Subject<string>();
      probe(log, 'source', source)
        .pipe(op.catchError(() => probe(log, 'replacement', rxjs.of('r'))))
        .subscribe({ next: (v) => log.push(`got ${v}`), complete: () => log.push('complete') });
      source.error(new Error('later'));
      expect(log).toEqual(['+source@0', '-source@0', '+replacement@0', 'got r', 'complete', '-replacement@0']);
    });
  });

  describe('retryAfter', () => {
    it('resubscribes after each delay, counting attempts from 1 across values, until the delay function throws', () => {
      const test = newScheduler();
      test.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const attempts: number[] = [];
        const source = cold('-a#');
        const delayFor = (error: unknown, attempt: number) => {
          attempts.push(attempt);
          if (attempt === 3) throw error;
          return attempt * 10;
        };
        expectObservable(source.pipe(op.retryAfter(delayFor, test))).toBe('-a 10ms -a 20ms -a#');
        expectSubscriptions(source.subscriptions).toBe(['^-!', '12ms ^-!', '34ms ^-!']);
        helpers.flush();
        expect(attempts).toEqual([1, 2, 3]);
      });
    });

    it('errors with what the delay function throws', () => {
      const test = newScheduler();
      test.run((helpers) => {
        const stop = () => {
          throw new Error('stop');
        };
        helpers.expectObservable(helpers.cold('-#').pipe(op.retryAfter(stop, test))).toBe('-#', undefined, new Error('stop'));
      });
    });

    it('waits on the given scheduler, and stops waiting when unsubscribed', () => {
      const test = newScheduler();
      test.run((helpers) => {
        const source = helpers.cold('-#');
        helpers.expectObservable(source.pipe(op.retryAfter(() => 10, test)), '^--!').toBe('');
        helpers.expectSubscriptions(source.subscriptions).toBe('^!');
      });
      // the wait was cancelled: nothing is left scheduled to resubscribe
      expect(test.actions).toEqual([]);
    });

    it('retries a source that fails synchronously, and passes completion through', () => {
      const test = newScheduler();
      test.run((helpers) => {
        let subscriptions = 0;
        const source = op.defer(() => (++subscriptions < 3 ? rxjs.throwError(() => new Error('sync')) : rxjs.of('ok')));
        helpers.expectObservable(source.pipe(op.retryAfter(() => 0, test))).toBe('(o|)', { o: 'ok' });
        helpers.flush();
        expect(subscriptions).toBe(3);
      });
    });

    it('waits no time for a negative delay', () => {
      const test = newScheduler();
      test.run((helpers) => {
        let subscriptions = 0;
        const source = op.defer(() => (++subscriptions < 2 ? helpers.cold('-#') : helpers.cold('-a|')));
        helpers.expectObservable(source.pipe(op.retryAfter(() => -5, test))).toBe('--a|');
      });
    });
  });

  describe('shareReplayOne', () => {
    it('subscribes once for every subscriber, and replays the last value and completion to late ones', () => {
      newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('---a|');
        const shared = source.pipe(op.shareReplayOne());
        expectObservable(shared, '^').toBe('---a|');
        expectObservable(shared, '-^').toBe('---a|');
        expectObservable(shared, '------^').toBe('------(a|)');
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
    });

    it('keeps the source running when every subscriber has gone, and replays what it brought', () => {
      newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('---a|');
        const shared = source.pipe(op.shareReplayOne());
        expectObservable(shared, '^-!').toBe('');
        expectObservable(shared, '------^').toBe('------(a|)');
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
    });

    it('gives a subscriber that comes midway the last value, then the rest', () => {
      newScheduler().run(({ cold, expectObservable }) => {
        const shared = cold('-a-b-c|').pipe(op.shareReplayOne());
        expectObservable(shared, '^').toBe('-a-b-c|');
        expectObservable(shared, '----^').toBe('----bc|');
      });
    });

    it('subscribes to the source again after an error', () => {
      newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('--#');
        const shared = source.pipe(op.shareReplayOne());
        expectObservable(shared, '^').toBe('--#');
        expectObservable(shared, '-^').toBe('--#');
        expectObservable(shared, '-----^').toBe('-------#');
        expectSubscriptions(source.subscriptions).toBe(['^-!', '-----^-!']);
      });
    });

    it('replays a synchronous source without subscribing to it again', () => {
      let subscriptions = 0;
      const shared = op.defer(() => {
        subscriptions++;
        return rxjs.of('once');
      }).pipe(op.shareReplayOne());
      const got: string[] = [];
      shared.subscribe((v) => got.push(`1:${v}`));
      shared.subscribe((v) => got.push(`2:${v}`));
      expect(got).toEqual(['1:once', '2:once']);
      expect(subscriptions).toBe(1);
    });

    it('does not subscribe to the source for a subscriber that is already closed', () => {
      let subscriptions = 0;
      const shared = op.defer(() => {
        subscriptions++;
        return rxjs.NEVER;
      }).pipe(op.shareReplayOne());
      const closed = rxjs.NEVER.subscribe();
      closed.unsubscribe();
      shared.subscribe(closed as rxjs.Subscriber<never>);
      expect(subscriptions).toBe(0);
      shared.subscribe().unsubscribe();
      expect(subscriptions).toBe(1);
    });

    it('gives many concurrent subscribers one subscription and one value', async () => {
      let subscriptions = 0;
      const source = new Subject<number>();
      const shared = op.defer(() => {
        subscriptions++;
        return source;
      }).pipe(op.shareReplayOne());
      const all = Promise.all(Array.from({ length: 100 }, () => firstValueFrom(shared)));
      source.next(42);
      source.complete();
      expect(new Set(await all)).toEqual(new Set([42]));
      expect(subscriptions).toBe(1);
    });
  });

  describe('defer', () => {
    it('calls the factory at each subscription, not before', () => {
      let calls = 0;
      const deferred = op.defer(() => rxjs.of(++calls));
      expect(calls).toBe(0);
      const got: number[] = [];
      deferred.subscribe((v) => got.push(v));
      deferred.subscribe((v) => got.push(v));
      expect(got).toEqual([1, 2]);
    });

    it('errors with what the factory throws', () => {
      const errors: unknown[] = [];
      op.defer(() => {
        throw new Error('factory');
      }).subscribe({ error: (e: unknown) => errors.push(e) });
      expect(errors).toEqual([new Error('factory')]);
    });

    it('passes unsubscription on to what the factory returned', () => {
      newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const inner = cold('---a|');
        expectObservable(op.defer(() => inner), '^-!').toBe('');
        expectSubscriptions(inner.subscriptions).toBe('^-!');
      });
    });
  });

  describe('map, tap and finalize', () => {
    it('map projects each value and passes errors and completion on', () => {
      newScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b|').pipe(op.map((v: string) => v.toUpperCase()))).toBe('-A-B|');
        expectObservable(cold('-a-#').pipe(op.map((v: string) => v.toUpperCase()))).toBe('-A-#');
      });
    });

    it('map and tap turn a throw into the error and unsubscribe from the source', () => {
      newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c|');
        const thrower = (v: string) => {
          if (v === 'b') throw 'bad';
          return v;
        };
        expectObservable(source.pipe(op.map(thrower))).toBe('-a-#', undefined, 'bad');
        expectObservable(source.pipe(op.tap(thrower))).toBe('-a-#', undefined, 'bad');
        expectSubscriptions(source.subscriptions).toBe(['^--!', '^--!']);
      });
    });

    it('tap sees each value before the subscriber does, and passes it on unchanged', () => {
      const log: string[] = [];
      rxjs.of('a', 'b').pipe(op.tap((v: string) => log.push(`tap ${v}`))).subscribe((v) => log.push(`got ${v}`));
      expect(log).toEqual(['tap a', 'got a', 'tap b', 'got b']);
    });

    it('finalize runs once after the teardown, however the subscription ends', () => {
      for (const end of ['complete', 'error', 'unsubscribe'] as const) {
        const log: string[] = [];
        const source = new Observable<string>((subscriber) => {
          if (end === 'complete') subscriber.complete();
          if (end === 'error') subscriber.error('e');
          return () => log.push('teardown');
        });
        const subscription = source.pipe(op.finalize(() => log.push('finalize'))).subscribe({ complete: () => log.push('complete'), error: () => log.push('error') });
        subscription.unsubscribe();
        subscription.unsubscribe();
        expect([end, log]).toEqual([end, [...(end === 'unsubscribe' ? [] : [end]), 'teardown', 'finalize']]);
      }
    });
  });
});

/** A hot stream over a multicast, as the session's state$, events$ and answers$ are. */
interface Hot<T> {
  stream: Observable<T>;
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

const multicasts: Array<[string, () => Hot<string>]> = [
  [
    'lib/call/rx Multicast',
    () => {
      const m = new rx.Multicast<string>();
      return { stream: new Observable<string>((s) => m.subscribe(s)), next: (v) => m.next(v), error: (e) => m.error(e), complete: () => m.complete() };
    },
  ],
  [
    'rxjs Subject',
    () => {
      const m = new Subject<string>();
      return { stream: new Observable<string>((s) => m.subscribe(s)), next: (v) => m.next(v), error: (e) => m.error(e), complete: () => m.complete() };
    },
  ],
];

describe.each(multicasts)('%s', (_name, make) => {
  /** Subscribes `name` to `hot`, logging what it gets; `onNext` runs after each value is logged. */
  const watch = (hot: Hot<string>, log: string[], name: string, onNext?: (value: string) => void) =>
    hot.stream.subscribe({ next: (v) => (log.push(`${name}:${v}`), onNext?.(v)), error: (e) => log.push(`${name}!${String(e)}`), complete: () => log.push(`${name}|`) });

  it('gives each value to the subscribers subscribed when it was sent, in subscription order', () => {
    const hot = make();
    const log: string[] = [];
    watch(hot, log, 'a', (v) => v === 'one' && watch(hot, log, 'late'));
    watch(hot, log, 'b');
    hot.next('one');
    hot.next('two');
    expect(log).toEqual(['a:one', 'b:one', 'a:two', 'b:two', 'late:two']);
  });

  it('gives nothing more to a subscriber that unsubscribed, even during a delivery', () => {
    const hot = make();
    const log: string[] = [];
    let b: rxjs.Subscription | undefined;
    watch(hot, log, 'a', () => b?.unsubscribe());
    b = watch(hot, log, 'b');
    hot.next('one');
    hot.next('two');
    expect(log).toEqual(['a:one', 'a:two']);
  });

  it('completes every subscriber once, ignores values after, and completes a subscriber that comes later at once', () => {
    const hot = make();
    const log: string[] = [];
    watch(hot, log, 'a');
    watch(hot, log, 'b');
    hot.complete();
    hot.complete();
    hot.next('after');
    watch(hot, log, 'late');
    expect(log).toEqual(['a|', 'b|', 'late|']);
  });

  it('errors every subscriber, and a subscriber that comes later at once', () => {
    const hot = make();
    const log: string[] = [];
    watch(hot, log, 'a');
    hot.error('boom');
    hot.next('after');
    hot.complete();
    watch(hot, log, 'late');
    expect(log).toEqual(['a!boom', 'late!boom']);
  });

  it('delivers to the others when one observer throws (the throw is reported, not raised)', () => {
    const reported: unknown[] = [];
    const previous = rxjs.config.onUnhandledError;
    rxjs.config.onUnhandledError = (error) => reported.push(error);
    jest.useFakeTimers();
    try {
      const hot = make();
      const log: string[] = [];
      hot.stream.subscribe(() => {
        throw new Error('observer failed');
      });
      watch(hot, log, 'b');
      expect(() => hot.next('one')).not.toThrow();
      jest.runAllTimers();
      expect(log).toEqual(['b:one']);
      expect(reported).toEqual([new Error('observer failed')]);
    } finally {
      jest.useRealTimers();
      rxjs.config.onUnhandledError = previous;
    }
  });
});

describe('deferAsync', () => {
  it('starts at each subscription and emits what the promise resolves to, then completes', async () => {
    let starts = 0;
    const deferred = rx.deferAsync(async () => ++starts);
    expect(starts).toBe(0);
    expect(await lastValueFrom(deferred)).toBe(1);
    expect(await lastValueFrom(deferred)).toBe(2);
  });

  it('errors with the rejection', async () => {
    await expect(firstValueFrom(rx.deferAsync(() => Promise.reject(new Error('rejected'))))).rejects.toThrow('rejected');
  });

  it('drops the outcome once unsubscribed', async () => {
    const seen: string[] = [];
    let resolve!: (value: string) => void;
    const subscription = rx.deferAsync(() => new Promise<string>((r) => (resolve = r))).subscribe({ next: (v) => seen.push(v), complete: () => seen.push('complete') });
    subscription.unsubscribe();
    resolve('late');
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([]);
  });
});

describe('of', () => {
  it('emits its value and completes synchronously', () => {
    const seen: unknown[] = [];
    rx.of(undefined).subscribe({ next: (v) => seen.push(v), complete: () => seen.push('complete') });
    expect(seen).toEqual([undefined, 'complete']);
  });
});

describe('defaultScheduler', () => {
  afterEach(() => jest.useRealTimers());

  it('tells the time by Date.now()', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    expect(rx.defaultScheduler.now()).toBe(1_000_000);
    jest.advanceTimersByTime(250);
    expect(rx.defaultScheduler.now()).toBe(1_000_250);
  });

  it('runs the work after the delay, with its state and the action as `this`, then closes the action', () => {
    jest.useFakeTimers();
    const runs: Array<{ state: string | undefined; self: unknown }> = [];
    const action = rx.defaultScheduler.schedule(
      function (this: SchedulerAction<string>, state?: string) {
        runs.push({ state, self: this });
      },
      100,
      'state',
    );
    jest.advanceTimersByTime(99);
    expect(runs).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(runs).toEqual([{ state: 'state', self: action }]);
    expect(action.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('runs the work again when it schedules itself, until it stops', () => {
    jest.useFakeTimers({ now: 0 });
    const at: number[] = [];
    const action = rx.defaultScheduler.schedule(
      function (this: SchedulerAction<number>, n = 0) {
        at.push(Date.now());
        if (n < 2) this.schedule(n + 1, 10);
      },
      100,
      0,
    );
    jest.advanceTimersByTime(1000);
    expect(at).toEqual([100, 110, 120]);
    expect(action.closed).toBe(true);
  });

  it('never runs work that was unsubscribed, and leaves no timer behind', () => {
    jest.useFakeTimers();
    const work = jest.fn();
    const action = rx.defaultScheduler.schedule(work, 100);
    action.unsubscribe();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(work).not.toHaveBeenCalled();
    // a closed action cannot be scheduled again
    (action as SchedulerAction<unknown>).schedule(undefined, 10);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('closes the action and lets the error out when the work throws', () => {
    jest.useFakeTimers();
    const action = rx.defaultScheduler.schedule(() => {
      throw new Error('work');
    }, 10);
    expect(() => jest.advanceTimersByTime(10)).toThrow('work');
    expect(action.closed).toBe(true);
  });

  it('keeps the process alive while a timer is pending, as asyncScheduler does', () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const action = rx.defaultScheduler.schedule(() => undefined, 60_000);
    expect(timeouts()).toBe(before + 1);
    action.unsubscribe();
    expect(timeouts()).toBe(before);
  });
});
