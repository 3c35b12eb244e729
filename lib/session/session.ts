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
  Observable,
  type SchedulerLike,
  Subject,
  switchMap,
  tap,
  throwError,
} from 'rxjs';
import type { Authorization } from '../auth/authorization.js';
import type { CredentialStore } from '../auth/credential-store.js';
import { type RefreshReason, TokenManager } from '../auth/token-manager.js';
import type { CallOptions } from '../client/call.js';
import { type ClientOptions, createClient, type KissClient, type SessionCallOptions, type StoreOptions } from '../client/kiss-client.js';
import type { Answer, SessionReply, StoreResult } from '../client/results.js';
import type { DocumentSource } from '../documents/document-source.js';
import { type KissError, type Step, UnauthorizedError } from '../errors/kiss-error.js';
import { errorFromNetworkFailure } from '../errors/from-response.js';
import type { Scope } from '../protocol/codecs.js';
import { clientHasEnded, needsFreshToken } from '../retry/classify.js';
import { type RetryPolicy, retryWithPolicy } from '../retry/policy.js';
import type { SocketLifecycleEvent } from '../socket/multiplexed-socket.js';
import { logActivity, type Logger, type LogLevel, type SessionActivity } from './events.js';
import { refuse, type SessionOperation } from './guards.js';
import { initialSessionState, type SessionEvent, type SessionState, transition } from './session-state.js';

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
  /** The state, current value first, then every change. */
  readonly state$: Observable<SessionState>;
  /** Requests, retries, token refreshes and socket changes, as they happen (hot). */
  readonly events$: Observable<SessionActivity>;
  /** Every answer this session receives (hot), for UIs. */
  readonly answers$: Observable<Answer>;
  /** The client id, once authorized. */
  readonly clientId: string | undefined;
  /** Authorizes (reusing saved credentials when there are) and bootstraps; emits the session. */
  open(options?: CallOptions): Observable<Session>;
  /** Asks a question. */
  ask(question: string, options?: CallOptions & SessionCallOverrides): Observable<Answer>;
  /** Stores documents. */
  store(documents: DocumentSource | readonly DocumentSource[], options?: StoreOptions & SessionCallOverrides): Observable<StoreResult>;
  /** Ends the session on the server and releases its resources. */
  destroy(options?: SessionCallOptions): Observable<SessionReply>;
  /** Releases timers and sockets now, destroying the session on the server first if it is open. */
  close(): void;
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
    // failed is final: stop refresh timers and close sockets.
    if (next.status === 'failed') release();
  };
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

  const client = createClient({
    ...options,
    socket: {
      ...options.socket,
      onEvent: (event) => {
        onSocket(event);
        options.socket?.onEvent?.(event);
      },
    },
    refreshToken: (stale) => refreshed(stale, 'handshake'),
  });

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
  function authorized<T>(run: (auth: Authorization) => Observable<T>): Observable<T> {
    return defer(() => {
      const auth = tokens.current!;
      return run(auth).pipe(
        catchError((error: unknown) => (needsFreshToken(error) ? refreshed(auth, 'expired').pipe(switchMap(run)) : throwError(() => error))),
      );
    });
  }

  /** A guarded, retried, reported call. */
  function perform<T>(operation: SessionOperation, step: Step, run: (auth: Authorization) => Observable<T>, retry: RetryPolicy, counts: boolean): Observable<T> {
    return defer(() => {
      const refused = refuse(state.value, operation);
      if (refused) return throwError(() => refused);
      if (counts) dispatch({ type: 'call' });
      const started = scheduler.now();
      let attempt = 0;
      return defer(() => {
        emit({ type: 'request-sent', step, attempt: ++attempt });
        return authorized(run);
      }).pipe(
        retryWithPolicy<T>(step, retry, scheduler, (info) =>
          emit({ type: 'retry-scheduled', step, attempt: info.attempt, delayMs: info.delayMs, kind: info.error.kind }),
        ),
        tap({
          next: () => emit({ type: 'request-answered', step, durationMs: scheduler.now() - started }),
          error: (error: unknown) => {
            const e = errorFromNetworkFailure(error, { step });
            emit({ type: 'request-failed', step, kind: e.kind, message: e.message });
            if (clientHasEnded(e)) fail(e);
          },
        }),
        finalize(() => counts && dispatch({ type: 'call-done' })),
      );
    });
  }

  async function savedCredentials() {
    return scope === 'persistent' ? await options.credentials?.load() : undefined;
  }

  const session: Session = {
    client,
    get state() {
      return state.value;
    },
    state$: state.asObservable(),
    events$: events.asObservable(),
    answers$: answers.asObservable(),
    get clientId() {
      return tokens.current?.clientId;
    },
    open(callOptions) {
      return defer(() => {
        const refused = refuse(state.value, 'open');
        if (refused) return throwError(() => refused);
        dispatch({ type: 'authorize' });
        return defer(savedCredentials).pipe(
          switchMap((saved) =>
            saved
              ? client.authorize({ clientId: saved.clientId, clientSecret: saved.clientSecret }, callOptions).pipe(
                  // Saved credentials the server refuses (the client ended, or the secret is wrong):
                  // forget them and start a new client.
                  catchError((error: unknown) =>
                    error instanceof UnauthorizedError
                      ? defer(async () => options.credentials?.clear()).pipe(switchMap(() => client.authorize({ scope }, callOptions)))
                      : throwError(() => error),
                  ),
                )
              : client.authorize({ scope }, callOptions),
          ),
          retryWithPolicy<Authorization>('authorize', policy, scheduler),
          switchMap(async (auth) => {
            tokens.set(auth);
            if (scope === 'persistent' && auth.clientSecret) await options.credentials?.save({ clientId: auth.clientId, clientSecret: auth.clientSecret });
            dispatch({ type: 'authorized' });
            dispatch({ type: 'bootstrap' });
          }),
          switchMap(() =>
            authorized((auth) => client.bootstrap(auth, { ...callOptions, query: options.bootstrapQuery })).pipe(
              retryWithPolicy('bootstrap', policy, scheduler),
            ),
          ),
          tap(() => dispatch({ type: 'bootstrapped' })),
          map(() => session),
          catchError((error: unknown) => {
            fail(errorFromNetworkFailure(error, { step: 'authorize' }));
            return throwError(() => error);
          }),
        );
      });
    },
    ask(question, callOptions) {
      return perform('ask', 'ask', (auth) => client.ask(auth, question, callOptions), callOptions?.retry ?? policy, true).pipe(
        tap((answer) => answers.next(answer)),
      );
    },
    store(documents, callOptions) {
      return perform('store', 'store', (auth) => client.store(auth, documents, callOptions), callOptions?.retry ?? policy, true);
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
      if (['authorized', 'ready', 'busy', 'refreshing', 'reconnecting'].includes(status)) {
        session.destroy().subscribe({ error: () => undefined });
      } else {
        release();
      }
    },
  };

  function release() {
    tokens.dispose();
    client.dispose();
  }

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
        opening.unsubscribe();
        session.close();
      };
    });
  });
}
