/**
 * The client: the session lifecycle (authorize, bootstrap, ask, store, destroy) as cold
 * Observables, over REST or over one multiplexed socket per session, with the same API either way.
 * @module
 */
import { type Observable, type SchedulerLike, throwError } from 'rxjs';
import { Authorization } from '../auth/authorization.js';
import { type ErrorContext, KissError, SessionMisuseError, type Step, withoutSecrets } from '../errors/kiss-error.js';
import type { DocumentSource } from '../documents/document-source.js';
import type { StoreProgress } from '../documents/progress.js';
import type { AuthRequestBody, StackResponseBody } from '../protocol/codecs.js';
import { type Endpoint, type EndpointOptions, resolveEndpoint } from '../rest/endpoint.js';
import { type FetchLike, fetchRequester, type HttpRequester } from '../rest/http-requester.js';
import { type NodeAgents, nodeHttpRequester } from '../rest/node-http.js';
import { type AuthReply, createRestTransport, type RestTransport } from '../rest/rest-transport.js';
import type { SocketOptions, SocketTransport, SocketTransportChoice } from '../socket/socket-transport.js';
import { call, type CallOptions } from '../call/call.js';
import { cached } from '../call/cache.js';
import { type DeadlineQueue, deadlinesFor } from '../call/deadlines.js';
import { defaultScheduler } from '../call/rx.js';
import { authorizeBody, type AuthorizeRequest, checkCallOptions, checkTimeout, documentsBody, questionBody, requireToken } from './requests.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from '../documents/document-source.js';
import { type Answer, type SessionReply, type StoreResult, toAnswer, toSessionReply, toStoreResult } from './results.js';

/**
 * The runtime's global `fetch`, looked up at each request (so a polyfill or an instrumentation
 * installed after the client was made is used) and called as a plain function: a browser's fetch
 * throws "Illegal invocation" when called as a method of another object. No ponyfill is bundled;
 * without a global `fetch` the call fails with a {@link SessionMisuseError}.
 */
const runtimeFetch: FetchLike = (input, init) => {
  const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
  if (typeof globalFetch !== 'function') {
    throw new SessionMisuseError('This runtime has no global fetch; pass the fetch option to createClient (createClient({ url, fetch })).');
  }
  return globalFetch(input, init);
};

/**
 * Options of {@link createClient}.
 * @category Client
 */
export interface ClientOptions extends EndpointOptions {
  /**
   * `'rest'` sends each step as an HTTP request. `socketTransport`, from the entry
   * `kiss-ai-stack-rx/socket`, sends bootstrap, ask, store and destroy over one shared WebSocket
   * per session (authorize always uses REST).
   *
   * @example
   * ```ts
   * import { socketTransport } from 'kiss-ai-stack-rx/socket';
   * createClient({ url: 'http://localhost:8080', transport: socketTransport });
   * ```
   * @default 'rest'
   */
  transport?: 'rest' | SocketTransportChoice;
  /** Socket transport options, used with `transport: socketTransport`. @default {} */
  socket?: SocketOptions;
  /**
   * The `fetch` to use (a test double, an instrumented fetch). Without one, Node uses its own
   * `node:http` with a keep-alive pool (and resends a request that met a connection the server had
   * already closed, as Node's documentation advises); other runtimes use their global `fetch`,
   * and where there is none every call fails with a `SessionMisuseError` asking for this option.
   * @default `node:http` in Node, the runtime's global `fetch` elsewhere
   */
  fetch?: FetchLike;
  /**
   * In Node, the agents REST requests go through (your own keep-alive pool, a proxy agent, TLS
   * options). A request that meets a connection the server had closed is still resent once, on a
   * fresh connection. Ignored when `fetch` is given and outside Node.
   * @default one keep-alive pool shared by every client in the process
   */
  agent?: NodeAgents;
  /** Headers added to every REST request (never logged). @default {} */
  headers?: Record<string, string>;
  /** Default per-call timeout in milliseconds (a deadline for the whole call, retries included); 0 disables. @default 60000 */
  timeout?: number;
  /**
   * The largest document `store` accepts, in bytes, checked before the document is read (a larger
   * one fails with a `SessionMisuseError` naming this option).
   * @default 104857600 (100 MiB)
   */
  maxDocumentBytes?: number;
  /** Scheduler for timeouts and socket timers, so tests can run in virtual time. @default real time, as RxJS's asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * How the socket transport gets a fresh token after its handshake is refused (403), given the
   * refused authorization. Sessions route this through their single-flight refresher.
   * @default authorize again with the authorization's client id and secret
   */
  refreshToken?: (stale: Authorization) => Observable<Authorization>;
}

/**
 * Options of {@link KissClient.store}.
 * @category Client
 */
export interface StoreOptions extends CallOptions {
  /** Metadata stored with the documents. @default {} */
  metadata?: Record<string, unknown>;
  /**
   * Called as the documents are sent, with bytes sent per document and overall: at most about
   * once per 1% of the total, always when a document is complete, so the last call is 100%.
   * Values never go backwards within a call (a request the transport resends on a fresh
   * connection is streamed again from the start without reporting it twice). A session's retry is
   * a new call: it starts again from 0, after a `retry-scheduled` event. Exceptions it throws are
   * ignored. See {@link StoreProgress} for what counts as sent over each transport.
   *
   * @example
   * ```ts
   * client.store(auth, './handbook.pdf', { onProgress: (p) => (bar.value = p.bytesSent / p.totalBytes) });
   * ```
   * @default none
   */
  onProgress?: (progress: StoreProgress) => void;
}

/**
 * Options of bootstrap and destroy.
 * @category Client
 */
export interface SessionCallOptions extends CallOptions {
  /** The text sent with the request; the server ignores it. @default 'Hi' for bootstrap, 'Bye' for destroy */
  query?: string;
}

/**
 * The session lifecycle. Every method returns a cold Observable that sends nothing until
 * subscribed, emits one typed value and completes, or errors with a {@link KissError};
 * unsubscribing cancels the request (aborts the HTTP request, or takes it out of the socket's queue).
 * The methods live on the client's prototype: call them on the client, or bind them before passing
 * them around.
 * @category Client
 */
export interface KissClient {
  /** The resolved server addresses. */
  readonly endpoint: Endpoint;
  /** Which transport carries bootstrap, ask, store and destroy: `'socket'` when it is `socketTransport`. */
  readonly transport: 'rest' | 'socket';
  /**
   * `POST /auth`: a new client for a scope, or a fresh token for an active client.
   *
   * @example
   * ```ts
   * const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
   * ```
   */
  authorize(request: AuthorizeRequest, options?: CallOptions): Observable<Authorization>;
  /** Starts the client's stack (`action=init` / `on_init`). Allowed more than once. */
  bootstrap(auth: Authorization, options?: SessionCallOptions): Observable<SessionReply>;
  /** Asks a question of a bootstrapped stack (`/queries` / `on_query`). */
  ask(auth: Authorization, question: string, options?: CallOptions): Observable<Answer>;
  /**
   * Stores documents for retrieval-augmented answers (`/documents` / `on_store`). Fails with
   * {@link DocumentError} for an unreadable file (nothing is sent) and {@link NotStoredError} when
   * the server reports a failed store. Documents are checked when the call starts and read in
   * chunks as they are sent: in Node over REST the body is streamed, so memory does not grow with
   * the documents' size. `onProgress` reports bytes sent.
   *
   * @example
   * ```ts
   * const stored = await firstValueFrom(
   *   client.store(auth, ['./handbook.pdf'], { metadata: { team: 'docs' }, onProgress: (p) => console.log(p.bytesSent, '/', p.totalBytes) }),
   * );
   * ```
   */
  store(auth: Authorization, documents: DocumentSource | readonly DocumentSource[], options?: StoreOptions): Observable<StoreResult>;
  /** Ends the session (`action=close` / `on_close`); a temporary client can no longer be used. */
  destroy(auth: Authorization, options?: SessionCallOptions): Observable<SessionReply>;
  /**
   * Closes the client's sockets now. Requests still waiting fail with `reason` (as an error of their
   * own step), or with a `CancelledError`; later calls fail at once with a `SessionMisuseError`.
   */
  dispose(reason?: KissError): void;
}

/** @internal The default of the `timeout` option. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Creates a client for one server.
 *
 * @example
 * ```ts
 * import { createClient } from 'kiss-ai-stack-rx';
 * import { socketTransport } from 'kiss-ai-stack-rx/socket';
 * import { firstValueFrom } from 'rxjs';
 *
 * const client = createClient({ url: 'http://localhost:8080', transport: socketTransport });
 * const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
 * await firstValueFrom(client.bootstrap(auth));
 * const answer = await firstValueFrom(client.ask(auth, 'What is KISS?'));
 * console.log(answer.text);
 * await firstValueFrom(client.destroy(auth));
 * ```
 * @category Client
 */
export function createClient(options: ClientOptions): KissClient {
  return new Client(options);
}

/** Headers for a client given none: shared, and frozen so that no client can change another's. */
const NO_HEADERS: Record<string, string> = Object.freeze({});

/**
 * The client behind {@link createClient}. A class, so that its methods live on the prototype: every
 * open session holds a client, and a closure per method cost each of them over a kilobyte.
 */
class Client implements KissClient {
  readonly endpoint: Endpoint;
  readonly transport: 'rest' | 'socket';
  readonly #scheduler: SchedulerLike;
  readonly #deadlines: DeadlineQueue;
  readonly #defaultTimeout: number;
  readonly #maxDocumentBytes: number;
  readonly #rest: RestTransport;
  readonly #socket: SocketTransport | undefined;
  #disposed = false;

  constructor(options: ClientOptions) {
    this.endpoint = internEndpoint(resolveEndpoint(options));
    this.#scheduler = options.scheduler ?? defaultScheduler;
    this.#deadlines = deadlinesFor(this.#scheduler);
    this.#defaultTimeout = checkTimeout(options.timeout, 'timeout', {}) ?? DEFAULT_TIMEOUT_MS;
    this.#maxDocumentBytes = checkSize(options.maxDocumentBytes, 'maxDocumentBytes') ?? DEFAULT_MAX_DOCUMENT_BYTES;
    const rest = restTransportOf(this.endpoint, options);
    this.#rest = rest;
    const socket = socketChoiceOf(options.transport);
    this.transport = socket ? 'socket' : 'rest';
    this.#socket = socket
      ? socket.create(
          this.endpoint,
          options.socket ?? {},
          options.refreshToken ??
            ((auth) =>
              auth.clientSecret
                ? this.authorize({ clientId: auth.clientId, clientSecret: auth.clientSecret })
                : throwError(() => new SessionMisuseError('The socket handshake was refused and this authorization has no client secret to mint a new token; authorize again.', rest.context('authorize')))),
          this.#scheduler,
          rest,
        )
      : undefined;
  }

  authorize(request: AuthorizeRequest, callOptions?: CallOptions): Observable<Authorization> {
    const rest = this.#rest;
    const context = rest.context('authorize');
    const scheduler = this.#scheduler;
    return call<AuthRequestBody, AuthReply, Authorization>({
      context,
      body: () => {
        this.#checkCall(callOptions, context);
        return authorizeBody(request, context);
      },
      start: (body, settle) => rest.authorize(body, settle),
      read: ({ body, serverDate }) =>
        new Authorization(
          body.access_token,
          body.client_id,
          body.client_secret,
          'scope' in request ? request.scope : undefined,
          Authorization.clockOffset(serverDate, scheduler.now()),
        ),
      timeout: this.#timeoutOf(callOptions),
      signal: callOptions?.signal,
      deadlines: this.#deadlines,
    });
  }

  bootstrap(auth: Authorization, callOptions?: SessionCallOptions): Observable<SessionReply> {
    return this.#send('bootstrap', auth, () => ({ query: callOptions?.query ?? 'Hi' }), toSessionReply, callOptions);
  }

  ask(auth: Authorization, question: string, callOptions?: CallOptions): Observable<Answer> {
    const context = this.#contextOf('ask');
    return this.#send('ask', auth, () => questionBody(question, context), (body) => toAnswer(body, question, context), callOptions);
  }

  store(auth: Authorization, documents: DocumentSource | readonly DocumentSource[], callOptions?: StoreOptions): Observable<StoreResult> {
    const context = this.#contextOf('store');
    const maxDocumentBytes = this.#maxDocumentBytes;
    let names: string[] = [];
    return this.#send(
      'store',
      auth,
      async () => {
        const body = await documentsBody(documents, callOptions?.metadata, context, maxDocumentBytes, callOptions?.onProgress);
        names = body.files.map((file) => file.name);
        return body;
      },
      (body) => toStoreResult(body, names, context),
      callOptions,
    );
  }

  destroy(auth: Authorization, callOptions?: SessionCallOptions): Observable<SessionReply> {
    return this.#send('destroy', auth, () => ({ query: callOptions?.query ?? 'Bye' }), toSessionReply, callOptions);
  }

  dispose(reason?: KissError): void {
    this.#disposed = true;
    this.#socket?.dispose(reason);
  }

  /** Refuses calls on a disposed client, and call options that cannot work. */
  #checkCall(callOptions: unknown, context: ErrorContext): void {
    if (this.#disposed) throw new SessionMisuseError('This client was disposed; create a new client to keep going.', context);
    checkCallOptions(callOptions, context);
  }

  /** One attempt's time limit: the call's timeout, or its attempt timeout when shorter. */
  #timeoutOf(callOptions: CallOptions | undefined): number {
    const whole = callOptions?.timeout ?? this.#defaultTimeout;
    const attempt = callOptions?.attemptTimeout;
    return attempt === undefined || attempt === 0 ? whole : whole === 0 ? attempt : Math.min(whole, attempt);
  }

  #contextOf(step: Step): ErrorContext {
    return this.#socket ? this.#socket.context(step) : this.#rest.context(step);
  }

  /** One step over the chosen transport; `body` runs at subscription and may throw or be async. */
  #send<T>(
    step: Exclude<Step, 'authorize'>,
    auth: Authorization,
    body: () => unknown,
    read: (result: StackResponseBody) => T,
    callOptions?: CallOptions,
  ): Observable<T> {
    const context = this.#contextOf(step);
    const socket = this.#socket;
    const rest = this.#rest;
    return call<unknown, StackResponseBody, T>({
      context,
      body: () => {
        this.#checkCall(callOptions, context);
        requireToken(auth, context);
        return body();
      },
      start: socket
        ? (ready, settle) => socket.send(step, auth, ready, settle)
        : (ready, settle) => rest.send(step, auth.accessToken, ready, settle),
      // What the server sent back may echo what it was given: keep the token and secret out of errors.
      read: (result) => {
        try {
          return read(result);
        } catch (error) {
          throw error instanceof KissError ? withoutSecrets(error, [auth.accessToken, auth.clientSecret]) : error;
        }
      },
      timeout: this.#timeoutOf(callOptions),
      signal: callOptions?.signal,
      deadlines: this.#deadlines,
    });
  }
}

/** The requester over the runtime's global fetch, where Node's own is not there: one for every client. */
let globalFetchRequester: HttpRequester | undefined;

/** The REST transports of clients that have nothing of their own: by requester, then by server. */
const sharedRests = new Map<HttpRequester, Map<string, RestTransport>>();

/**
 * A client's REST transport. Clients with no fetch, agents or headers of their own are alike for
 * one server: they share one transport (per requester, should the runtime's ever change).
 */
function restTransportOf(endpoint: Endpoint, options: ClientOptions): RestTransport {
  const requester = options.fetch ? fetchRequester(options.fetch) : (nodeHttpRequester(options.agent) ?? (globalFetchRequester ??= fetchRequester(runtimeFetch)));
  if (options.fetch || options.agent || options.headers) return createRestTransport(endpoint, requester, options.headers ? { ...options.headers } : NO_HEADERS);
  const byServer = cached(sharedRests, requester, () => new Map<string, RestTransport>());
  return cached(byServer, endpoint.httpBase, () => createRestTransport(endpoint, requester, NO_HEADERS));
}

/** Resolved endpoints, one per server: every client of a server shares the same two strings. */
const endpoints = new Map<string, Endpoint>();

/** The shared (frozen) copy of an endpoint equal to `endpoint`. */
function internEndpoint(endpoint: Endpoint): Endpoint {
  return cached(endpoints, `${endpoint.httpBase} ${endpoint.wsUrl}`, () => Object.freeze({ httpBase: endpoint.httpBase, wsUrl: endpoint.wsUrl }));
}

/**
 * The socket transport the `transport` option asks for, none for REST, or a misuse error: the
 * string `'socket'` (this client's API before the socket had an entry of its own) says where it went.
 */
function socketChoiceOf(transport: unknown): SocketTransportChoice | undefined {
  if (transport === undefined || transport === 'rest') return undefined;
  if (typeof transport === 'object' && transport !== null && (transport as SocketTransportChoice).kind === 'socket') return transport as SocketTransportChoice;
  throw new SessionMisuseError(
    transport === 'socket'
      ? "The socket transport is in an entry of its own: import { socketTransport } from 'kiss-ai-stack-rx/socket' and pass transport: socketTransport."
      : `The transport option must be 'rest' or socketTransport (from 'kiss-ai-stack-rx/socket'), not ${typeof transport === 'string' ? `'${transport}'` : typeof transport}.`,
  );
}

/** A size option's value, or a misuse error naming it: a positive whole number of bytes. */
function checkSize(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new SessionMisuseError(`The ${option} option must be a positive whole number of bytes, not ${String(value)}.`);
  }
  return value;
}
