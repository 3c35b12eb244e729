/**
 * A session as a stream: authorize → bootstrap → ask/store → destroy, with guards, retries, token
 * refresh, `state$`, `events$` and `answers$`. The state machine itself is session-state.ts.
 * @module
 */
import {
  asyncScheduler,
  BehaviorSubject,
  catchError,
  defer,
  finalize,
  map,
  type MonoTypeOperatorFunction,
  Observable,
  of,
  type SchedulerLike,
  type Subscription,
  Subject,
  switchMap,
  tap,
  throwError,
} from 'rxjs';
import type { Authorization } from '../auth/authorization.js';
import type { CredentialStore } from '../auth/credential-store.js';
import { type RefreshReason, TokenManager, withFreshToken } from '../auth/token-manager.js';
import type { CallOptions } from '../call/call.js';
import { deadlinesFor } from '../call/deadlines.js';
import { type ClientOptions, createClient, DEFAULT_TIMEOUT_MS, type KissClient, type SessionCallOptions, type StoreOptions } from '../client/kiss-client.js';
import type { Answer, SessionReply, StoreResult } from '../client/results.js';
import type { DocumentSource } from '../documents/document-source.js';
import type { StoreProgress } from '../documents/progress.js';
import { CancelledError, type KissError, SessionMisuseError, type Step, KissTimeoutError, UnauthorizedError } from '../errors/kiss-error.js';
import { checkCallOptions, checkTimeout } from '../client/requests.js';
import { errorFromNetworkFailure } from '../errors/from-response.js';
import type { Scope } from '../protocol/codecs.js';
import { clientHasEnded } from '../retry/classify.js';
import { nextRetryDelay, type RetryPolicy, retryWithPolicy } from '../retry/policy.js';
import type { SocketLifecycleEvent } from '../socket/multiplexed-socket.js';
import { logActivity, type Logger, type LogLevel, type SessionActivity } from './events.js';
import { refuse, type SessionOperation } from './guards.js';
import { FINAL_STATUSES, initialSessionState, type SessionEvent, type SessionState, transition } from './session-state.js';

/**
 * Options of {@link createSession} and {@link openSession}: the client's, plus the session's own.
 * @category Session
 */
export interface SessionOptions extends Omit<ClientOptions, 'refreshToken'> {
  /** The client's scope: `temporary` ends at destroy; `persistent` survives it. @default 'temporary' */
  scope?: Scope;
  /** Where a persistent client's id and secret are kept between runs; saved credentials are reused. @default none (a new client each time) */
  credentials?: CredentialStore;
  /** How failed calls are retried. @default { maxAttempts: 4, baseDelay: 200, maxDelay: 5000, jitter: true } */
  retry?: RetryPolicy;
  /** Refresh the token this long before it expires (at most a quarter of its lifetime), in ms. @default 30000 */
  refreshMargin?: number;
  /** Receives the session's log lines (`console` fits). Never given a token or secret. @default none */
  logger?: Logger;
  /** The least severe level logged. @default 'warn' */
  logLevel?: LogLevel | 'silent';
  /** The text sent with bootstrap. @default 'Hi' */
  bootstrapQuery?: string;
}

/**
 * Per-call options of a session's ask and store.
 * @category Session
 */
export interface SessionCallOverrides {
  /** Overrides the session's retry policy for this call. @default the session's `retry` */
  retry?: RetryPolicy;
}

/**
 * A KISS AI Stack session. Its calls are cold Observables, guarded by its state (asking before
 * open() emits, or after destroy, fails at once with a `SessionMisuseError`), retried by its
 * policy, and kept authorized by a single-flight token refresher.
 * @category Session
 */
export interface Session {
  /** The underlying client (one transport, one server). */
  readonly client: KissClient;
  /** The current state. */
  readonly state: SessionState;
  /** The state, current value first, then every change; completes once the session is destroyed, closed or failed. */
  readonly state$: Observable<SessionState>;
  /** Requests, retries, token refreshes and socket changes, as they happen (hot); completes when the session ends. */
  readonly events$: Observable<SessionActivity>;
  /** Every answer this session receives (hot), for UIs; completes when the session ends. */
  readonly answers$: Observable<Answer>;
  /** The client id, once authorized. */
  readonly clientId: string | undefined;
  /**
   * Authorizes (reusing saved credentials when there are) and bootstraps; emits the session.
   * Unsubscribing before it emits stops it and returns the session to `idle` (open it again at
   * will); a temporary client it already created is closed on the server in the background.
   */
  open(options?: CallOptions): Observable<Session>;
  /** Asks a question. */
  ask(question: string, options?: CallOptions & SessionCallOverrides): Observable<Answer>;
  /**
   * Stores documents. Progress shows on `events$` as `store-progress` activity, and goes to the
   * call's own `onProgress` (see {@link StoreOptions.onProgress}).
   *
   * @example
   * ```ts
   * session.store(['./handbook.pdf'], { onProgress: (p) => (bar.value = p.bytesSent / p.totalBytes) }).subscribe();
   * ```
   */
  store(documents: DocumentSource | readonly DocumentSource[], options?: StoreOptions & SessionCallOverrides): Observable<StoreResult>;
  /** Ends the session on the server and releases its resources. */
  destroy(options?: SessionCallOptions): Observable<SessionReply>;
  /**
   * Ends the session: destroys it on the server first if it is open (ending `destroyed`), else stops
   * an open() in flight (it errors with a `CancelledError`; a temporary client it created is closed
   * on the server) and ends `closed`. Timers and sockets are released; the streams complete.
   */
  close(): void;
}


/** The part of a session shared through a prototype: its state and client id, read live. */
class SessionView {
  readonly #state: BehaviorSubject<SessionState>;
  readonly #tokens: TokenManager;

  constructor(state: BehaviorSubject<SessionState>, tokens: TokenManager) {
    this.#state = state;
    this.#tokens = tokens;
  }

  get state(): SessionState {
    return this.#state.value;
  }

  get clientId(): string | undefined {
    return this.#tokens.current?.clientId;
  }
}

/**
 * Creates a session, idle until `open()`.
 *
 * @example
 * ```ts
 * const session = createSession({ url: 'http://localhost:8080', transport: 'socket' });
 * session.state$.subscribe((s) => console.log(s.status));
 * await firstValueFrom(session.open());
 * console.log((await firstValueFrom(session.ask('What is KISS?'))).text);
 * await firstValueFrom(session.destroy());
 * ```
 * @category Session
 */
export function createSession(options: SessionOptions): Session {
  if (options === null || typeof options !== 'object') {
    throw new SessionMisuseError(`createSession needs an options object such as { url: 'http://localhost:8080' }, not ${options === null ? 'null' : typeof options}.`);
  }
  const scheduler: SchedulerLike = options.scheduler ?? asyncScheduler;
  const scope: Scope = options.scope ?? 'temporary';
  const policy: RetryPolicy = options.retry ?? {};
  const state = new BehaviorSubject<SessionState>(initialSessionState);
  const events = new Subject<SessionActivity>();
  const answers = new Subject<Answer>();

  const emit = (activity: SessionActivity) => {
    logActivity(options.logger, options.logLevel ?? 'warn', activity);
    events.next(activity);
  };
  const dispatch = (event: SessionEvent) => {
    const next = transition(state.value, event);
    if (next === state.value) return;
    state.next(next);
    emit({ type: 'state', state: next });
    if (FINAL_STATUSES.includes(next.status)) end(next);
  };
  let ended = false;
  /** A final state: stop timers, close sockets (waiting requests get the failure), complete the streams. */
  function end(final: SessionState) {
    if (ended) return;
    ended = true;
    opening?.abandon();
    release(final.error);
    state.complete();
    events.complete();
    answers.complete();
  }
  const fail = (error: KissError) => dispatch({ type: 'fail', error });

  const onSocket = (event: SocketLifecycleEvent) => {
    if (event.type === 'socket-connected') {
      emit({ type: 'socket-connected' });
      dispatch({ type: 'connected' });
    } else if (event.type === 'socket-reconnecting') {
      emit({ type: 'socket-reconnecting', attempt: event.attempt, delayMs: event.delayMs });
      dispatch({ type: 'reconnecting' });
    } else if (event.type === 'socket-closed') {
      emit({ type: 'socket-closed', code: event.code, by: event.by });
    } else if (event.type === 'store-over-rest') {
      emit({ type: 'store-over-rest', bytes: event.bytes, limit: event.limit });
    }
  };

  const tokens: TokenManager = new TokenManager({
    mint: (clientId, clientSecret) => client.authorize({ clientId, clientSecret }),
    refreshMargin: options.refreshMargin ?? 30_000,
    scheduler,
    onRefreshing: () => dispatch({ type: 'refresh' }),
    onRefreshed: (auth, reason) => {
      dispatch({ type: 'refreshed' });
      emit({ type: 'token-refreshed', reason, expiresAt: auth.expiresAt });
    },
    onProactiveFailure: (error) => {
      // A failed early refresh is not fatal while the token lives; a 401 will retry it. An ended
      // client, though, is the end of the session.
      if (clientHasEnded(error)) fail(error as KissError);
      else dispatch({ type: 'refreshed' });
    },
  });

  // The socket's hooks only when there is a socket: a REST session need not carry them.
  const client = createClient(
    options.transport === 'socket'
      ? {
          ...options,
          socket: {
            ...options.socket,
            onEvent: (event) => {
              onSocket(event);
              options.socket?.onEvent?.(event);
            },
          },
          refreshToken: (stale) => refreshed(stale, 'handshake'),
        }
      : options,
  );
  const clientTimeout = checkTimeout(options.timeout, 'timeout', {}) ?? DEFAULT_TIMEOUT_MS;

  /** A token newer than `stale`; an ended client fails the session. */
  function refreshed(stale: Authorization, reason: RefreshReason): Observable<Authorization> {
    return tokens.refreshIfCurrent(stale, reason).pipe(
      catchError((error: unknown) => {
        if (clientHasEnded(error)) fail(error as KissError);
        else if (state.value.status === 'refreshing') dispatch({ type: 'refreshed' });
        return throwError(() => error);
      }),
    );
  }

  /** Runs a call with the current token; on 401 `Invalid token`, refreshes once and replays once. */
  const authorized = <T>(run: (auth: Authorization) => Observable<T>): Observable<T> =>
    withFreshToken(tokens.current!, run, (stale) => refreshed(stale, 'expired'));

  /**
   * A guarded, retried, reported call: one Observable per call, written out by hand (no operator
   * chain), since a busy session makes thousands of them. The retries follow the policy
   * (`nextRetryDelay`), within the call's deadline.
   */
  function perform<T>(
    operation: SessionOperation,
    step: Step,
    run: (auth: Authorization, attemptOptions: CallOptions | undefined) => Observable<T>,
    retry: RetryPolicy,
    counts: boolean,
    callOptions: CallOptions | undefined,
    onValue?: (value: T) => void,
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      const refused = refuse(state.value, operation);
      if (refused) return subscriber.error(refused);
      let attemptOptions: CallOptions | undefined;
      let deadline: number;
      try {
        ({ attemptOptions, deadline } = withinDeadline(callOptions, step));
      } catch (error) {
        return subscriber.error(error);
      }
      if (counts) dispatch({ type: 'call' });
      const started = scheduler.now();
      let attempt = 0;
      let done = false;
      let current: Subscription | undefined;
      let backoff: Subscription | undefined;
      const stop = () => {
        done = true;
        cancelDeadline?.();
        backoff?.unsubscribe();
        current?.unsubscribe();
      };
      const failWith = (error: unknown) => {
        if (done) return;
        stop();
        const e = errorFromNetworkFailure(error, { step });
        emit({ type: 'request-failed', step, kind: e.kind, message: e.message });
        if (clientHasEnded(e)) fail(e);
        subscriber.error(error);
        if (counts) dispatch({ type: 'call-done' });
      };
      const cancelDeadline = deadline > 0 ? deadlines.add(deadline, () => failWith(new KissTimeoutError(deadline, { step }))) : undefined;
      const tryOnce = () => {
        backoff = undefined;
        emit({ type: 'request-sent', step, attempt: ++attempt });
        current = authorized((auth) => run(auth, attemptOptions)).subscribe({
          next: (value) => {
            if (done) return;
            stop();
            emit({ type: 'request-answered', step, durationMs: scheduler.now() - started });
            onValue?.(value);
            subscriber.next(value);
            subscriber.complete();
            if (counts) dispatch({ type: 'call-done' });
          },
          error: (error: unknown) => {
            if (done) return;
            const delayMs = nextRetryDelay(step, retry, error, attempt);
            if (delayMs === undefined) return failWith(error);
            emit({ type: 'retry-scheduled', step, attempt, delayMs, kind: (error as KissError).kind });
            backoff = scheduler.schedule(tryOnce, delayMs);
          },
        });
      };
      tryOnce();
      return () => {
        if (done) return;
        stop();
        if (counts) dispatch({ type: 'call-done' });
      };
    });
  }

  /**
   * A call's options split in two: the deadline of the whole call (`timeout`, retries included) and
   * the options each attempt gets (`attemptTimeout` as its own limit). Throws a misuse error for
   * options that cannot work.
   */
  function withinDeadline<O extends CallOptions>(callOptions: O | undefined, step: Step): { attemptOptions: O | undefined; deadline: number } {
    checkCallOptions(callOptions, { step });
    const deadline = callOptions?.timeout ?? clientTimeout;
    const attemptOptions = { ...callOptions, timeout: callOptions?.attemptTimeout ?? 0 } as O;
    return { attemptOptions, deadline };
  }

  /**
   * Fails the whole call with a KissTimeoutError once `deadline` ms have passed (0: never). The timers
   * share one queue (as the client's per-call timeouts do): a timer per call costs more than the call.
   */
  function deadlineOf<T>(deadline: number, step: Step | (() => Step)): MonoTypeOperatorFunction<T> {
    if (deadline <= 0) return (source) => source;
    const stepNow = typeof step === 'function' ? step : () => step;
    return (source) =>
      new Observable<T>((subscriber) => {
        const cancel = deadlines.add(deadline, () => subscriber.error(new KissTimeoutError(deadline, { step: stepNow() })));
        const inner = source.subscribe(subscriber);
        return () => {
          cancel();
          inner.unsubscribe();
        };
      });
  }
  const deadlines = deadlinesFor(scheduler);

  async function savedCredentials() {
    return scope === 'persistent' ? await options.credentials?.load() : undefined;
  }

  // The two getters live on a shared prototype: an object literal with accessors of its own is
  // kept by V8 as a dictionary, which cost every session over a kilobyte.
  const methods: Omit<Session, 'state' | 'clientId'> = {
    client,
    // A late subscriber to an ended session still gets its final state, then completion.
    state$: defer(() => (ended ? of(state.value) : state.asObservable())),
    events$: events.asObservable(),
    answers$: answers.asObservable(),
    open(callOptions) {
      return new Observable<Session>((subscriber) => {
        const refused = refuse(state.value, 'open');
        if (refused) return subscriber.error(refused);
        try {
          checkCallOptions(callOptions, { step: 'authorize' });
        } catch (error) {
          return subscriber.error(error);
        }
        dispatch({ type: 'authorize' });
        const attempt = startOpening(callOptions);
        opening = attempt;
        const running = attempt.run.subscribe({
          next: () => {
            attempt.finished = true;
            opening = undefined;
            subscriber.next(session);
            subscriber.complete();
          },
          error: (error: unknown) => {
            attempt.finished = true;
            opening = undefined;
            fail(errorFromNetworkFailure(error, { step: 'authorize' }));
            subscriber.error(error);
          },
        });
        attempt.stop = (closing) => {
          running.unsubscribe();
          if (closing) subscriber.error(new CancelledError({ step: 'bootstrap' }, 'the session was closed while it was opening'));
        };
        return () => attempt.abandon();
      });
    },
    ask(question, callOptions) {
      return perform('ask', 'ask', (auth, attempt) => client.ask(auth, question, attempt), callOptions?.retry ?? policy, true, callOptions, (answer) =>
        answers.next(answer),
      );
    },
    store(documents, callOptions) {
      // Progress goes to events$ and to the caller's own onProgress, through one throttled reporter.
      const onProgress = (progress: StoreProgress) => {
        emit({ type: 'store-progress', ...progress });
        callOptions?.onProgress?.(progress);
      };
      return perform(
        'store',
        'store',
        (auth, attempt) => client.store(auth, documents, { ...attempt, onProgress }),
        callOptions?.retry ?? policy,
        true,
        callOptions,
      );
    },
    destroy(callOptions) {
      return defer(() => {
        const refused = refuse(state.value, 'destroy');
        if (refused) return throwError(() => refused);
        dispatch({ type: 'destroy' });
        return authorized((auth) => client.destroy(auth, callOptions)).pipe(
          tap(() => {
            dispatch({ type: 'destroyed' });
            if (scope === 'temporary') void options.credentials?.clear();
          }),
          catchError((error: unknown) => {
            fail(errorFromNetworkFailure(error, { step: 'destroy' }));
            return throwError(() => error);
          }),
          finalize(() => release()),
        );
      });
    },
    close() {
      const { status } = state.value;
      if (['ready', 'busy', 'refreshing', 'reconnecting'].includes(status)) {
        session.destroy().subscribe({ error: () => undefined });
      } else if (status !== 'destroying') {
        opening?.abandon(true);
        dispatch({ type: 'close' });
      }
    },
  };
  const session: Session = Object.assign(new SessionView(state, tokens), methods);

  function release(reason?: KissError) {
    tokens.dispose();
    client.dispose(reason);
  }

  /** The open() in flight, if any. */
  let opening: Opening | undefined;

  interface Opening {
    readonly run: Observable<unknown>;
    finished: boolean;
    /** Set by open(): stops the pipeline; `closing` also errors open()'s subscriber. */
    stop?: (closing: boolean) => void;
    /** Gives the open up: stops it, cleans up what it created, and leaves the session idle (or closed). */
    abandon(closing?: boolean): void;
  }

  /**
   * One open(): authorize (a new client, or saved credentials), then bootstrap. A new client's
   * `/auth` is never aborted: the server may create the client whatever we do, so when the open is
   * given up, its answer is awaited and the client it names is cleaned up (see {@link cleanUp}).
   */
  function startOpening(openOptions: CallOptions | undefined): Opening {
    // Throws a misuse error for options that cannot work; open() turns it into its error.
    const { attemptOptions: callOptions, deadline } = withinDeadline(openOptions, 'authorize');
    /** The authorization this open obtained, and whether /auth created its client. */
    let obtained: { auth: Authorization; created: boolean } | undefined;
    let bootstrapStarted = false;
    let abandoned = false;
    /** A new client's /auth on the wire: on abandon, its answer is cleaned up when it comes. */
    let newClientPending = false;

    const newClient = new Observable<Authorization>((subscriber) => {
      newClientPending = true;
      let detached = false;
      const request = client.authorize({ scope }, callOptions).subscribe({
        next: (auth) => {
          newClientPending = false;
          if (detached) cleanUp({ auth, created: true }, false);
          else subscriber.next(auth);
        },
        error: (error: unknown) => {
          newClientPending = false;
          if (!detached) subscriber.error(error);
        },
        complete: () => {
          if (!detached) subscriber.complete();
        },
      });
      return () => {
        if (newClientPending) detached = true;
        else request.unsubscribe();
      };
    });

    const authorizeStep = defer(savedCredentials).pipe(
      switchMap((saved) =>
        saved
          ? client.authorize({ clientId: saved.clientId, clientSecret: saved.clientSecret }, callOptions).pipe(
              map((auth) => ({ auth, created: false })),
              // Saved credentials the server refuses (the client ended, or the secret is wrong):
              // forget them and start a new client.
              catchError((error: unknown) =>
                error instanceof UnauthorizedError
                  ? defer(async () => options.credentials?.clear()).pipe(switchMap(() => newClient.pipe(map((auth) => ({ auth, created: true })))))
                  : throwError(() => error),
              ),
            )
          : newClient.pipe(map((auth) => ({ auth, created: true }))),
      ),
      retryWithPolicy<{ auth: Authorization; created: boolean }>('authorize', policy, scheduler),
    );

    const run = authorizeStep.pipe(
      switchMap(async (result) => {
        obtained = result;
        tokens.set(result.auth);
        if (result.created) await saveCredentials(result.auth);
        if (abandoned) return;
        dispatch({ type: 'authorized' });
        dispatch({ type: 'bootstrap' });
      }),
      switchMap(() => {
        bootstrapStarted = true;
        return authorized((auth) => client.bootstrap(auth, { ...callOptions, query: options.bootstrapQuery })).pipe(
          retryWithPolicy('bootstrap', policy, scheduler),
        );
      }),
      tap(() => dispatch({ type: 'bootstrapped' })),
      deadlineOf(deadline, () => (bootstrapStarted ? 'bootstrap' : 'authorize')),
      // A failed open leaves nothing behind either: a temporary client it created is closed.
      catchError((error: unknown) => {
        if (obtained && !abandoned) cleanUp({ auth: tokens.current ?? obtained.auth, created: obtained.created }, bootstrapStarted);
        return throwError(() => error);
      }),
    );

    const attempt: Opening = {
      run,
      finished: false,
      abandon(closing = false) {
        if (attempt.finished || abandoned) return;
        abandoned = true;
        if (opening === attempt) opening = undefined;
        attempt.stop?.(closing);
        const auth = tokens.current;
        tokens.clear();
        if (obtained) cleanUp(obtained.created ? { auth: auth ?? obtained.auth, created: true } : obtained, bootstrapStarted);
        if (!closing) dispatch({ type: 'cancel' });
      },
    };
    return attempt;
  }

  async function saveCredentials(auth: Authorization) {
    if (scope === 'persistent' && auth.clientSecret) await options.credentials?.save({ clientId: auth.clientId, clientSecret: auth.clientSecret });
  }

  /**
   * Undoes what a given-up open() left on the server, in the background and over REST (the
   * session's own socket is closing). A temporary client it created is closed; the server only
   * closes a bootstrapped stack, so it is bootstrapped first (bootstrapping twice is allowed). A
   * persistent client lives on by design: only a stack the open may have started is closed.
   */
  function cleanUp(orphan: { auth: Authorization; created: boolean }, bootstrapStarted: boolean) {
    const temporary = orphan.created && scope === 'temporary';
    if (!temporary && !bootstrapStarted) return;
    cleanupClient ??= createClient({ ...options, transport: 'rest' });
    const rest = cleanupClient;
    rest
      .bootstrap(orphan.auth)
      .pipe(
        switchMap(() => rest.destroy(orphan.auth)),
        catchError(() => of(undefined)),
      )
      .subscribe();
  }
  let cleanupClient: KissClient | undefined;

  return session;
}

/**
 * The session lifecycle as a resource: subscribing authorizes and bootstraps, then emits the open
 * session; unsubscribing destroys it on the server (a temporary client is closed, so its documents
 * are cleaned up) and releases its timers and sockets.
 *
 * @example
 * ```ts
 * openSession({ url: 'http://localhost:8080' })
 *   .pipe(switchMap((session) => session.ask('What is KISS?')))
 *   .subscribe((answer) => console.log(answer.text));
 * ```
 * @category Session
 */
export function openSession(options: SessionOptions): Observable<Session> {
  return defer(() => {
    const session = createSession(options);
    return new Observable<Session>((subscriber) => {
      const opening = session.open().subscribe({ next: (open) => subscriber.next(open), error: (error: unknown) => subscriber.error(error) });
      return () => {
        session.close();
        opening.unsubscribe();
      };
    });
  });
}
