/**
 * A session as a stream: authorize → bootstrap → ask/store → destroy, with guards, retries, token
 * refresh, `state$`, `events$` and `answers$`. The state machine itself is session-state.ts.
 * @module
 */
import { type MonoTypeOperatorFunction, Observable, type SchedulerLike, type Subscription, throwError } from 'rxjs';
import type { Authorization } from '../auth/authorization.js';
import type { CredentialStore } from '../auth/credential-store.js';
import { type RefreshReason, TokenManager, type TokenManagerConfig, withFreshToken } from '../auth/token-manager.js';
import type { CallOptions } from '../call/call.js';
import { type DeadlineQueue, deadlinesFor } from '../call/deadlines.js';
import { catchError, defaultScheduler, defer, deferAsync, finalize, map, Multicast, of, switchMap, tap } from '../call/rx.js';
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
 *
 * Its methods live on its prototype, as an ordinary class's do (a closure per method per session
 * would cost more heap than the session itself): call them on the session, or bind them before
 * passing them around, e.g. `questions$.pipe(concatMap((q) => session.ask(q)))`.
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


/**
 * Creates a session, idle until `open()`.
 *
 * @example
 * ```ts
 * const session = createSession({ url: 'http://localhost:8080' });
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
  return new SessionImpl(options);
}

/** The retry policy of a session given none: every default. Shared, and frozen so that none can change it. */
const DEFAULT_POLICY: RetryPolicy = Object.freeze({});

/** One open() in flight. */
interface Opening {
  readonly run: Observable<unknown>;
  finished: boolean;
  /** Set by open(): stops the pipeline; `closing` also errors open()'s subscriber. */
  stop?: (closing: boolean) => void;
  /** Gives the open up: stops it, cleans up what it created, and leaves the session idle (or closed). */
  abandon(closing?: boolean): void;
}

/**
 * The session behind {@link createSession}. A class, so that its methods live on the prototype:
 * an open session costs its fields, not a closure per method. Per-call closures are fine (they go
 * when the call does); what every open session keeps is what counts.
 *
 * The session is also its token manager's config (the `mint` and `on…` hooks, `refreshMargin`,
 * `scheduler`): an object of four closures less per session. They are not part of {@link Session},
 * and live on the prototype, not on the session itself.
 *
 * `state$`, `events$` and `answers$` make their subjects at the first subscription: a session no
 * one watches (most, on a server) keeps none. What is emitted before then has no subscriber to
 * reach, as with a hot subject; the logger sees every activity either way.
 */
class SessionImpl implements Session, TokenManagerConfig {
  readonly client: KissClient;
  readonly #scheduler: SchedulerLike;
  readonly #refreshMargin: number;
  readonly #options: SessionOptions;
  readonly #scope: Scope;
  readonly #policy: RetryPolicy;
  readonly #clientTimeout: number;
  readonly #tokens: TokenManager;
  #state: SessionState = initialSessionState;
  #ended = false;
  /** The open() in flight, if any. */
  #opening: Opening | undefined;
  /** Made at the first subscription (see the class's comment). */
  #stateSubject: Multicast<SessionState> | undefined;
  #events: Multicast<SessionActivity> | undefined;
  #answers: Multicast<Answer> | undefined;
  /** The streams, made at the first read: `session.state$ === session.state$`. */
  #state$: Observable<SessionState> | undefined;
  #events$: Observable<SessionActivity> | undefined;
  #answers$: Observable<Answer> | undefined;
  /** The REST client that cleans up after a given-up open(), made when first needed. */
  #cleanupClient: KissClient | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#scheduler = options.scheduler ?? defaultScheduler;
    this.#scope = options.scope ?? 'temporary';
    this.#policy = options.retry ?? DEFAULT_POLICY;
    this.#refreshMargin = options.refreshMargin ?? 30_000;
    this.#tokens = new TokenManager(this);
    // The socket's hooks only when there is a socket: a REST session need not carry them.
    this.client = createClient(
      typeof options.transport === 'object'
        ? {
            ...options,
            socket: {
              ...options.socket,
              onEvent: (event) => {
                this.#onSocket(event);
                options.socket?.onEvent?.(event);
              },
            },
            refreshToken: (stale) => this.#refreshed(stale, 'handshake'),
          }
        : options,
    );
    this.#clientTimeout = checkTimeout(options.timeout, 'timeout', {}) ?? DEFAULT_TIMEOUT_MS;
  }

  get state(): SessionState {
    return this.#state;
  }

  get clientId(): string | undefined {
    return this.#tokens.current?.clientId;
  }

  get state$(): Observable<SessionState> {
    return (this.#state$ ??= new Observable<SessionState>((subscriber) => {
      // A late subscriber to an ended session still gets its final state, then completion.
      if (this.#ended) {
        subscriber.next(this.#state);
        return subscriber.complete();
      }
      // As a BehaviorSubject: subscribed first, then the current state.
      (this.#stateSubject ??= new Multicast()).subscribe(subscriber);
      subscriber.next(this.#state);
    }));
  }

  get events$(): Observable<SessionActivity> {
    return (this.#events$ ??= this.#hot(() => (this.#events ??= new Multicast())));
  }

  get answers$(): Observable<Answer> {
    return (this.#answers$ ??= this.#hot(() => (this.#answers ??= new Multicast())));
  }

  /** A hot stream over the subject `subject()` makes (once); an ended session's completes at once. */
  #hot<T>(subject: () => Multicast<T>): Observable<T> {
    return new Observable<T>((subscriber) => (this.#ended ? subscriber.complete() : subject().subscribe(subscriber)));
  }

  open(callOptions?: CallOptions): Observable<Session> {
    return new Observable<Session>((subscriber) => {
      const refused = refuse(this.#state, 'open');
      if (refused) return subscriber.error(refused);
      try {
        checkCallOptions(callOptions, { step: 'authorize' });
      } catch (error) {
        return subscriber.error(error);
      }
      this.#dispatch({ type: 'authorize' });
      const attempt = this.#startOpening(callOptions);
      this.#opening = attempt;
      const running = attempt.run.subscribe({
        next: () => {
          attempt.finished = true;
          this.#opening = undefined;
          subscriber.next(this);
          subscriber.complete();
        },
        error: (error: unknown) => {
          attempt.finished = true;
          this.#opening = undefined;
          this.#fail(errorFromNetworkFailure(error, { step: 'authorize' }));
          subscriber.error(error);
        },
      });
      attempt.stop = (closing) => {
        running.unsubscribe();
        if (closing) subscriber.error(new CancelledError({ step: 'bootstrap' }, 'the session was closed while it was opening'));
      };
      return () => attempt.abandon();
    });
  }

  ask(question: string, callOptions?: CallOptions & SessionCallOverrides): Observable<Answer> {
    return this.#perform(
      'ask',
      'ask',
      (auth, attempt) => this.client.ask(auth, question, attempt),
      callOptions?.retry ?? this.#policy,
      true,
      callOptions,
      (answer) => this.#answers?.next(answer),
    );
  }

  store(documents: DocumentSource | readonly DocumentSource[], callOptions?: StoreOptions & SessionCallOverrides): Observable<StoreResult> {
    // Progress goes to events$ and to the caller's own onProgress, through one throttled reporter.
    const onProgress = (progress: StoreProgress) => {
      this.#emit({ type: 'store-progress', ...progress });
      callOptions?.onProgress?.(progress);
    };
    return this.#perform(
      'store',
      'store',
      (auth, attempt) => this.client.store(auth, documents, { ...attempt, onProgress }),
      callOptions?.retry ?? this.#policy,
      true,
      callOptions,
    );
  }

  destroy(callOptions?: SessionCallOptions): Observable<SessionReply> {
    return defer(() => {
      const refused = refuse(this.#state, 'destroy');
      if (refused) return throwError(() => refused);
      this.#dispatch({ type: 'destroy' });
      return this.#authorized((auth) => this.client.destroy(auth, callOptions)).pipe(
        tap(() => {
          this.#dispatch({ type: 'destroyed' });
          if (this.#scope === 'temporary') void this.#options.credentials?.clear();
        }),
        catchError((error: unknown) => {
          this.#fail(errorFromNetworkFailure(error, { step: 'destroy' }));
          return throwError(() => error);
        }),
        finalize(() => this.#release()),
      );
    });
  }

  close(): void {
    const { status } = this.#state;
    if (['ready', 'busy', 'refreshing', 'reconnecting'].includes(status)) {
      this.destroy().subscribe({ error: () => undefined });
    } else if (status !== 'destroying') {
      this.#opening?.abandon(true);
      this.#dispatch({ type: 'close' });
    }
  }

  /** The token manager's: its timers' scheduler. */
  get scheduler(): SchedulerLike {
    return this.#scheduler;
  }

  /** The token manager's: how long before a token expires it is refreshed. */
  get refreshMargin(): number {
    return this.#refreshMargin;
  }

  /** The token manager's: a fresh token for the same client. */
  mint(clientId: string, clientSecret: string): Observable<Authorization> {
    return this.client.authorize({ clientId, clientSecret });
  }

  /** The token manager's: a refresh started. */
  onRefreshing(): void {
    this.#dispatch({ type: 'refresh' });
  }

  /** The token manager's: a refresh brought a fresh token. */
  onRefreshed(auth: Authorization, reason: RefreshReason): void {
    this.#dispatch({ type: 'refreshed' });
    this.#emit({ type: 'token-refreshed', reason, expiresAt: auth.expiresAt });
  }

  /** The token manager's: an early refresh failed. */
  onProactiveFailure(error: unknown): void {
    // A failed early refresh is not fatal while the token lives; a 401 will retry it. An ended
    // client, though, is the end of the session.
    if (clientHasEnded(error)) this.#fail(error as KissError);
    else this.#dispatch({ type: 'refreshed' });
  }

  #emit(activity: SessionActivity): void {
    logActivity(this.#options.logger, this.#options.logLevel ?? 'warn', activity);
    this.#events?.next(activity);
  }

  #dispatch(event: SessionEvent): void {
    const next = transition(this.#state, event);
    if (next === this.#state) return;
    this.#state = next;
    this.#stateSubject?.next(next);
    this.#emit({ type: 'state', state: next });
    if (FINAL_STATUSES.includes(next.status)) this.#end(next);
  }

  /** A final state: stop timers, close sockets (waiting requests get the failure), complete the streams. */
  #end(final: SessionState): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#opening?.abandon();
    this.#release(final.error);
    this.#stateSubject?.complete();
    this.#events?.complete();
    this.#answers?.complete();
  }

  #fail(error: KissError): void {
    this.#dispatch({ type: 'fail', error });
  }

  #release(reason?: KissError): void {
    this.#tokens.dispose();
    this.client.dispose(reason);
  }

  #onSocket(event: SocketLifecycleEvent): void {
    if (event.type === 'socket-connected') {
      this.#emit({ type: 'socket-connected' });
      this.#dispatch({ type: 'connected' });
    } else if (event.type === 'socket-reconnecting') {
      this.#emit({ type: 'socket-reconnecting', attempt: event.attempt, delayMs: event.delayMs });
      this.#dispatch({ type: 'reconnecting' });
    } else if (event.type === 'socket-closed') {
      this.#emit({ type: 'socket-closed', code: event.code, by: event.by });
    } else if (event.type === 'store-over-rest') {
      this.#emit({ type: 'store-over-rest', bytes: event.bytes, limit: event.limit });
    }
  }

  /** A token newer than `stale`; an ended client fails the session. */
  #refreshed(stale: Authorization, reason: RefreshReason): Observable<Authorization> {
    return this.#tokens.refreshIfCurrent(stale, reason).pipe(
      catchError((error: unknown) => {
        if (clientHasEnded(error)) this.#fail(error as KissError);
        else if (this.#state.status === 'refreshing') this.#dispatch({ type: 'refreshed' });
        return throwError(() => error);
      }),
    );
  }

  /** Runs a call with the current token; on 401 `Invalid token`, refreshes once and replays once. */
  #authorized<T>(run: (auth: Authorization) => Observable<T>): Observable<T> {
    return withFreshToken(this.#tokens.current!, run, (stale) => this.#refreshed(stale, 'expired'));
  }

  /**
   * A guarded, retried, reported call: one Observable per call, written out by hand (no operator
   * chain), since a busy session makes thousands of them. The retries follow the policy
   * (`nextRetryDelay`), within the call's deadline.
   */
  #perform<T>(
    operation: SessionOperation,
    step: Step,
    run: (auth: Authorization, attemptOptions: CallOptions | undefined) => Observable<T>,
    retry: RetryPolicy,
    counts: boolean,
    callOptions: CallOptions | undefined,
    onValue?: (value: T) => void,
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      const refused = refuse(this.#state, operation);
      if (refused) return subscriber.error(refused);
      let attemptOptions: CallOptions | undefined;
      let deadline: number;
      try {
        ({ attemptOptions, deadline } = this.#withinDeadline(callOptions, step));
      } catch (error) {
        return subscriber.error(error);
      }
      if (counts) this.#dispatch({ type: 'call' });
      const scheduler = this.#scheduler;
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
        this.#emit({ type: 'request-failed', step, kind: e.kind, message: e.message });
        if (clientHasEnded(e)) this.#fail(e);
        subscriber.error(error);
        if (counts) this.#dispatch({ type: 'call-done' });
      };
      const cancelDeadline = deadline > 0 ? deadlinesFor(scheduler).add(deadline, () => failWith(new KissTimeoutError(deadline, { step }))) : undefined;
      const tryOnce = () => {
        backoff = undefined;
        this.#emit({ type: 'request-sent', step, attempt: ++attempt });
        current = this.#authorized((auth) => run(auth, attemptOptions)).subscribe({
          next: (value) => {
            if (done) return;
            stop();
            this.#emit({ type: 'request-answered', step, durationMs: scheduler.now() - started });
            onValue?.(value);
            subscriber.next(value);
            subscriber.complete();
            if (counts) this.#dispatch({ type: 'call-done' });
          },
          error: (error: unknown) => {
            if (done) return;
            const delayMs = nextRetryDelay(step, retry, error, attempt);
            if (delayMs === undefined) return failWith(error);
            this.#emit({ type: 'retry-scheduled', step, attempt, delayMs, kind: (error as KissError).kind });
            backoff = scheduler.schedule(tryOnce, delayMs);
          },
        });
      };
      tryOnce();
      return () => {
        if (done) return;
        stop();
        if (counts) this.#dispatch({ type: 'call-done' });
      };
    });
  }

  /**
   * A call's options split in two: the deadline of the whole call (`timeout`, retries included) and
   * the options each attempt gets (`attemptTimeout` as its own limit). Throws a misuse error for
   * options that cannot work.
   */
  #withinDeadline<O extends CallOptions>(callOptions: O | undefined, step: Step): { attemptOptions: O | undefined; deadline: number } {
    checkCallOptions(callOptions, { step });
    const deadline = callOptions?.timeout ?? this.#clientTimeout;
    const attemptOptions = { ...callOptions, timeout: callOptions?.attemptTimeout ?? 0 } as O;
    return { attemptOptions, deadline };
  }

  async #savedCredentials() {
    return this.#scope === 'persistent' ? await this.#options.credentials?.load() : undefined;
  }

  async #saveCredentials(auth: Authorization) {
    if (this.#scope === 'persistent' && auth.clientSecret) await this.#options.credentials?.save({ clientId: auth.clientId, clientSecret: auth.clientSecret });
  }

  /**
   * One open(): authorize (a new client, or saved credentials), then bootstrap. A new client's
   * `/auth` is never aborted: the server may create the client whatever we do, so when the open is
   * given up, its answer is awaited and the client it names is cleaned up (see cleanUp).
   */
  #startOpening(openOptions: CallOptions | undefined): Opening {
    // Throws a misuse error for options that cannot work; open() turns it into its error.
    const { attemptOptions: callOptions, deadline } = this.#withinDeadline(openOptions, 'authorize');
    const client = this.client;
    const scheduler = this.#scheduler;
    const policy = this.#policy;
    const tokens = this.#tokens;
    /** The authorization this open obtained, and whether /auth created its client. */
    let obtained: { auth: Authorization; created: boolean } | undefined;
    let bootstrapStarted = false;
    let abandoned = false;
    /** A new client's /auth on the wire: on abandon, its answer is cleaned up when it comes. */
    let newClientPending = false;

    const newClient = new Observable<Authorization>((subscriber) => {
      newClientPending = true;
      let detached = false;
      const request = client.authorize({ scope: this.#scope }, callOptions).subscribe({
        next: (auth) => {
          newClientPending = false;
          if (detached) this.#cleanUp({ auth, created: true }, false);
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

    const authorizeStep = deferAsync(() => this.#savedCredentials()).pipe(
      switchMap((saved) =>
        saved
          ? client.authorize({ clientId: saved.clientId, clientSecret: saved.clientSecret }, callOptions).pipe(
              map((auth) => ({ auth, created: false })),
              // Saved credentials the server refuses (the client ended, or the secret is wrong):
              // forget them and start a new client.
              catchError((error: unknown) =>
                error instanceof UnauthorizedError
                  ? deferAsync(async () => this.#options.credentials?.clear()).pipe(switchMap(() => newClient.pipe(map((auth) => ({ auth, created: true })))))
                  : throwError(() => error),
              ),
            )
          : newClient.pipe(map((auth) => ({ auth, created: true }))),
      ),
      retryWithPolicy<{ auth: Authorization; created: boolean }>('authorize', policy, scheduler),
    );

    const run = authorizeStep.pipe(
      switchMap((result) => deferAsync(async () => {
        obtained = result;
        tokens.set(result.auth);
        if (result.created) await this.#saveCredentials(result.auth);
        if (abandoned) return;
        this.#dispatch({ type: 'authorized' });
        this.#dispatch({ type: 'bootstrap' });
      })),
      switchMap(() => {
        bootstrapStarted = true;
        return this.#authorized((auth) => client.bootstrap(auth, { ...callOptions, query: this.#options.bootstrapQuery })).pipe(
          retryWithPolicy('bootstrap', policy, scheduler),
        );
      }),
      tap(() => this.#dispatch({ type: 'bootstrapped' })),
      deadlineOf(deadlinesFor(scheduler), deadline, () => (bootstrapStarted ? 'bootstrap' : 'authorize')),
      // A failed open leaves nothing behind either: a temporary client it created is closed.
      catchError((error: unknown) => {
        if (obtained && !abandoned) this.#cleanUp({ auth: tokens.current ?? obtained.auth, created: obtained.created }, bootstrapStarted);
        return throwError(() => error);
      }),
    );

    const attempt: Opening = {
      run,
      finished: false,
      abandon: (closing = false) => {
        if (attempt.finished || abandoned) return;
        abandoned = true;
        if (this.#opening === attempt) this.#opening = undefined;
        attempt.stop?.(closing);
        const auth = tokens.current;
        tokens.clear();
        if (obtained) this.#cleanUp(obtained.created ? { auth: auth ?? obtained.auth, created: true } : obtained, bootstrapStarted);
        if (!closing) this.#dispatch({ type: 'cancel' });
      },
    };
    return attempt;
  }

  /**
   * Undoes what a given-up open() left on the server, in the background and over REST (the
   * session's own socket is closing). A temporary client it created is closed; the server only
   * closes a bootstrapped stack, so it is bootstrapped first (bootstrapping twice is allowed). A
   * persistent client lives on by design: only a stack the open may have started is closed.
   */
  #cleanUp(orphan: { auth: Authorization; created: boolean }, bootstrapStarted: boolean): void {
    const temporary = orphan.created && this.#scope === 'temporary';
    if (!temporary && !bootstrapStarted) return;
    const rest = (this.#cleanupClient ??= createClient({ ...this.#options, transport: 'rest' }));
    rest
      .bootstrap(orphan.auth)
      .pipe(
        switchMap(() => rest.destroy(orphan.auth)),
        catchError(() => of(undefined)),
      )
      .subscribe();
  }
}

/**
 * Fails the whole call with a KissTimeoutError once `deadline` ms have passed (0: never). The timers
 * share one queue (as the client's per-call timeouts do): a timer per call costs more than the call.
 */
function deadlineOf<T>(deadlines: DeadlineQueue, deadline: number, step: Step | (() => Step)): MonoTypeOperatorFunction<T> {
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
