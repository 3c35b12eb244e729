/**
 * A session per injector: `provideKissSession(options)` in the providers of the application, a
 * route or a component; `injectKissSession()` and `injectKissSignals()` where it is needed. The
 * session is closed when its injector is destroyed.
 * @module
 */
import { HttpBackend, HttpClient, FetchBackend } from '@angular/common/http';
import { DestroyRef, DOCUMENT, EnvironmentInjector, inject, InjectionToken, type Provider } from '@angular/core';
import { createSession, type FetchLike, type Session, SessionMisuseError, type SessionOptions } from 'kiss-ai-stack-rx';
import { httpClientFetch } from './http-client-fetch.js';
import { lazySession } from './lazy-session.js';
import { pageBase, resolvePageUrl } from './page-url.js';
import { KissSessionSignals } from './session-signals.js';

/**
 * Options of {@link provideKissSession}: the session's (see `SessionOptions`), and three for Angular.
 *
 * @example
 * ```ts
 * import { socketTransport } from 'kiss-ai-stack-rx/socket';
 *
 * const options: KissSessionOptions = { url: '/kiss', lazy: true, transport: socketTransport, scope: 'temporary' };
 * bootstrapApplication(AppComponent, { providers: [provideKissSession(options)] });
 * ```
 * @category Angular
 */
export interface KissSessionOptions extends SessionOptions {
  /**
   * The server's base URL. Besides the absolute forms (`https://stack.example.com/kiss`), a URL
   * relative to the page is accepted here: `/kiss` (the dev server's proxy, or the app's own
   * origin) is resolved against the document's base URI (`<base href>`), so it becomes
   * `http://localhost:4200/kiss` in development. Rendering on the server, pass an absolute URL.
   * @default none: give `url`, or `host` (and `port`, `secure`)
   */
  url?: string;
  /**
   * Calls made before the session is open wait for it: `ask()` and `store()` on an idle session
   * start the open (authorize, bootstrap), and any made while it is opening wait for it, instead
   * of failing with a `SessionMisuseError`. The open then belongs to the session (see
   * {@link lazySession}). Without it, call `open()` first, as with `createSession`.
   * @default false
   */
  lazy?: boolean;
  /**
   * Send REST calls through the application's `HttpClient` (see {@link httpClientFetch}), so its
   * interceptors and `HttpTestingController` see them. Used whenever an `HttpClient` can be
   * injected (always from Angular 21, where it is provided in root) and no `fetch` option is
   * given; `false` keeps the client's own HTTP stack (`node:http` in Node, the global `fetch`
   * in browsers). The socket transport's WebSocket never goes through HttpClient; `authorize`
   * always does, since it is REST. Calls made once the application's injector is being destroyed
   * (the session's own destroy when the application leaves) go to HttpClient's backend directly:
   * the interceptors belong to that injector and can no longer run.
   * @default true
   */
  httpClient?: boolean;
}

/**
 * The session of the nearest injector that has {@link provideKissSession} in its providers. Inject
 * it with {@link injectKissSession} (which says what is missing when there is none).
 *
 * @example
 * ```ts
 * const session = inject(KISS_SESSION);
 * ```
 * @category Angular
 */
export const KISS_SESSION = new InjectionToken<Session>('KISS_SESSION');

/** The session and its signals, made together (so the signals see every answer). */
interface SessionHandle {
  readonly session: Session;
  readonly signals: KissSessionSignals;
}

const SESSION_HANDLE = new InjectionToken<SessionHandle>('KISS_SESSION_HANDLE');

/**
 * Provides a KISS AI Stack session to an injector: the application's (`bootstrapApplication`,
 * `ApplicationConfig.providers`), a route's, or a component's (`providers: [...]`, one session per
 * component instance). The session is made when first injected, idle until `open()` (or, with
 * `lazy: true`, until the first call), and closed when its injector is destroyed: an open session
 * is destroyed on the server (a temporary client ends there, its documents with it), an open in
 * flight is stopped and what it created on the server is closed, timers and sockets are released.
 *
 * By default REST calls go through the application's `HttpClient` (see
 * {@link KissSessionOptions.httpClient}); a relative `url` is resolved against the page.
 *
 * @param options - the session's options, or a function returning them, run in an injection
 *   context (so it may `inject()` configuration)
 * @returns providers for an application, route or component
 * @example
 * ```ts
 * bootstrapApplication(AppComponent, {
 *   providers: [
 *     provideHttpClient(withFetch(), withInterceptors([logRequests])),
 *     provideKissSession({ url: '/kiss', lazy: true }),
 *   ],
 * });
 * ```
 * @category Angular
 */
export function provideKissSession(options: KissSessionOptions | (() => KissSessionOptions)): Provider[] {
  return [
    { provide: SESSION_HANDLE, useFactory: () => sessionHandle(typeof options === 'function' ? options() : options) },
    { provide: KISS_SESSION, useFactory: () => inject(SESSION_HANDLE).session },
    { provide: KissSessionSignals, useFactory: () => inject(SESSION_HANDLE).signals },
  ];
}

/** Runs in the injection context of the injector that provides the session. */
function sessionHandle(options: KissSessionOptions): SessionHandle {
  if (options === null || typeof options !== 'object') {
    throw new SessionMisuseError(`provideKissSession needs an options object such as { url: '/kiss' }, not ${options === null ? 'null' : typeof options}.`);
  }
  const { lazy = false, httpClient = true, ...sessionOptions } = options;
  // Only a string can be relative; anything else goes to createSession, which says what is wrong.
  if (typeof sessionOptions.url === 'string') sessionOptions.url = resolvePageUrl(sessionOptions.url, pageBase(inject(DOCUMENT, { optional: true })));
  if (httpClient && !sessionOptions.fetch) sessionOptions.fetch = injectHttpClientFetch();
  const created = createSession(sessionOptions);
  const session = lazy ? lazySession(created) : created;
  const signals = new KissSessionSignals(session);
  inject(DestroyRef).onDestroy(() => session.close());
  return { session, signals };
}

/**
 * A fetch over the injector's HttpClient, or undefined when there is none (before Angular 21,
 * without `provideHttpClient()`). Once the environment injector is destroyed (the application is
 * leaving), HttpClient's interceptors can no longer run (they run in that injector), so the last
 * calls, the session's own destroy among them, go straight to HttpClient's backend.
 */
function injectHttpClientFetch(): FetchLike | undefined {
  const http = inject(HttpClient, { optional: true });
  if (!http) return undefined;
  const backend = inject(HttpBackend, { optional: true });
  const options = { manualRedirects: backend instanceof FetchBackend };
  const intercepted = httpClientFetch(http, options);
  if (!backend) return intercepted;
  const direct = httpClientFetch(new HttpClient(backend), options);
  let leaving = false;
  // Registered before the session's own close, so that close already goes the direct way.
  inject(EnvironmentInjector).get(DestroyRef).onDestroy(() => (leaving = true));
  return (input, init) => (leaving ? direct : intercepted)(input, init);
}

/**
 * The session provided by {@link provideKissSession} to this injector or an ancestor. Call it in an
 * injection context (a constructor, a field initializer, a provider's factory).
 *
 * @returns the session (lazy when provided with `lazy: true`)
 * @throws SessionMisuseError when no injector on the way provides a session
 * @example
 * ```ts
 * export class AskComponent {
 *   private readonly session = injectKissSession();
 *   ask(question: string) {
 *     this.session.ask(question).subscribe();
 *   }
 * }
 * ```
 * @category Angular
 */
export function injectKissSession(): Session {
  return inject(KISS_SESSION, { optional: true }) ?? missing('injectKissSession');
}

/**
 * The signals of the session provided by {@link provideKissSession} (state, status, answers, the
 * last answer and its sources). Call it in an injection context.
 *
 * @returns the session's {@link KissSessionSignals}
 * @throws SessionMisuseError when no injector on the way provides a session
 * @example
 * ```ts
 * export class StatusComponent {
 *   protected readonly kiss = injectKissSignals();
 *   protected readonly label = computed(() => (this.kiss.busy() ? 'thinking…' : this.kiss.status()));
 * }
 * ```
 * @category Angular
 */
export function injectKissSignals(): KissSessionSignals {
  return inject(KissSessionSignals, { optional: true }) ?? missing('injectKissSignals');
}

function missing(caller: string): never {
  throw new SessionMisuseError(
    `${caller}() found no KISS session: add provideKissSession({ url: '/kiss' }) to the providers of the application, a route or this component.`,
  );
}
