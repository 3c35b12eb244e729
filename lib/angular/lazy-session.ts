/**
 * A lazy session: calls made before it is open wait for the open (and start it when nobody has),
 * like graphql-ws's `lazy` client. Pure RxJS over the public Session API; no Angular here.
 * @module
 */
import { FINAL_STATUSES, type Session, type SessionState } from 'kiss-ai-stack-rx';
import { defer, first, map, type Observable, of, switchMap } from 'rxjs';

/** A state a waiting call can go on from: open, back to idle, or ended. */
const settled = (state: SessionState) => state.bootstrapped || state.status === 'idle' || FINAL_STATUSES.includes(state.status);

/**
 * Wraps a session so that `ask()` and `store()` need no `open()` first: made while the session is
 * idle, they start the open; made while it is opening, they wait for it; then they run. If the open
 * fails, they fail with its error (an `UnauthorizedError`, a `TransportError`…), not with a
 * `SessionMisuseError`. `open()` itself joins an open in flight and, on a session that is already
 * open, emits it again. `destroy()` made while the session is opening waits for the open, then
 * destroys; on an idle session it is refused as before (there is nothing to destroy).
 *
 * The open belongs to the session, not to the call that started it: unsubscribing from a waiting
 * `ask()` (or from `open()`) leaves the open running, so the next call does not start another
 * one; `close()` stops it (a temporary client it created is closed on the server).
 *
 * Everything else (state, streams, `close()`, calls on a session that is open or has ended) is the
 * wrapped session's own.
 *
 * @param session - a session from `createSession`, not yet opened (or already open)
 * @returns the same session, lazy
 * @example
 * ```ts
 * const session = lazySession(createSession({ url: 'http://localhost:8080' }));
 * // No open(): the first ask authorizes and bootstraps, then asks.
 * const answer = await firstValueFrom(session.ask('What is KISS?'));
 * session.close(); // destroys the session on the server
 * ```
 * @category Angular
 */
export function lazySession(session: Session): Session {
  /** Why the last open failed (a `CancelledError` when the session was closed while opening). */
  let openError: unknown;
  /** Starts the open unless one is running or done; the session holds it, no caller does. */
  const start = (options?: Parameters<Session['open']>[0]) => {
    if (session.state.status !== 'idle') return;
    openError = undefined;
    session.open(options).subscribe({ error: (error: unknown) => (openError = error) });
  };

  /** Emits once the session can take calls (or has ended), failing with the open's own error. */
  const whenOpen = (): Observable<void> =>
    session.state$.pipe(
      first(settled),
      map((state) => {
        if (state.bootstrapped) return;
        if (openError !== undefined) throw openError;
        if (state.status === 'failed' && state.error) throw state.error;
      }),
    );

  /** Runs `call` at once when the session is settled, else after the open (started if `starts`). */
  function afterOpen<T>(call: () => Observable<T>, starts: boolean): Observable<T> {
    return defer(() => {
      if (settled(session.state) && !(starts && session.state.status === 'idle')) return call();
      if (starts) start();
      return whenOpen().pipe(switchMap(call));
    });
  }

  const lazy: Session = {
    client: session.client,
    state$: session.state$,
    events$: session.events$,
    answers$: session.answers$,
    get state() {
      return session.state;
    },
    get clientId() {
      return session.clientId;
    },
    open(options) {
      return defer(() => {
        const { status } = session.state;
        // Ended (or ending) sessions keep the core's refusal.
        if (FINAL_STATUSES.includes(status) || status === 'destroying') return session.open(options).pipe(map(() => lazy));
        start(options);
        // Not open and no error of its own: the session's open() says why.
        return whenOpen().pipe(switchMap(() => (session.state.bootstrapped ? of(lazy) : session.open(options).pipe(map(() => lazy)))));
      });
    },
    ask: (question, options) => afterOpen(() => session.ask(question, options), true),
    store: (documents, options) => afterOpen(() => session.store(documents, options), true),
    destroy: (options) => afterOpen(() => session.destroy(options), false),
    close: () => session.close(),
  };
  return lazy;
}
