/**
 * The official JavaScript client's classes, `RestEvent` and `WebSocketEvent`, rebuilt on this
 * library's Observable core: code written for the official client runs unchanged, and gains
 * retries, token refresh, validated replies and, on the socket, answers matched to their callers.
 * @module
 */
import { asyncScheduler, defer, firstValueFrom, type Observable, type SchedulerLike } from 'rxjs';
import type { Authorization } from '../auth/authorization.js';
import { TokenManager, withFreshToken } from '../auth/token-manager.js';
import { createClient, type ClientOptions, type KissClient } from '../client/kiss-client.js';
import type { AuthorizeRequest } from '../client/requests.js';
import type { DocumentSource } from '../documents/document-source.js';
import { SessionMisuseError, type Step } from '../errors/kiss-error.js';
import { type RetryPolicy, retryWithPolicy } from '../retry/policy.js';
import { socketTransport } from '../socket/socket-transport.js';

/**
 * What `authorizeStack` resolves with, and `getSession()` returns: the server's `/auth` reply, as
 * the official client gives it. It holds the token and the client secret: keep it out of logs.
 * @category Compat
 */
export interface SessionResponse {
  /** The bearer token. */
  access_token: string;
  /** The client's id. */
  client_id?: string;
  /** The client's secret (to authorize again with the id). */
  client_secret?: string;
  /** The scope asked for, when one was. */
  scope?: string;
}

/**
 * What the other calls resolve with: the server's reply (`{ stack_id, result, extras }`), as the
 * official client gives it. `extras` is an answer's `{ query, metadata, distances,
 * supporting_documents }`, a store's `{ "<tool>": [document ids] }`, or null.
 * @category Compat
 */
export interface GenericResponseBody {
  /** The stack's id (the client id). */
  stack_id: string;
  /** The answer, or the server's sentence (`Greetings!`, `Files stored`, `Good bye!`). */
  result: string | null;
  /** The reply's extras, or null. */
  extras: Record<string, unknown> | null;
}

/**
 * Options of {@link RestEvent} and {@link WebSocketEvent}: the official client's two, plus any of
 * this library's client options.
 * @category Compat
 */
export interface EventOptions extends Omit<ClientOptions, 'url' | 'host' | 'port' | 'secure' | 'pathPrefix' | 'transport' | 'refreshToken'> {
  /** Host and port without a scheme, as the official client takes it: `example.com`, `localhost:8080`. */
  hostname: string;
  /** `https`/`wss` when true, `http`/`ws` when false (to any host: asking for it is the opt-in). @default true */
  secureProtocol?: boolean;
  /** How failed calls are retried (only what is safe to repeat). @default { maxAttempts: 4, baseDelay: 200, maxDelay: 5000, jitter: true } */
  retry?: RetryPolicy;
  /** Refresh the token this long before it expires, in ms. @default 30000 */
  refreshMargin?: number;
}

/** The official client's `data` argument: a string, or `{ data }` as its README shows. */
const textOf = (value: string | { data?: string } | undefined): string | undefined => (typeof value === 'object' && value !== null ? value.data : value);

/** What the server says to a store; the reply's own text is not kept by the core, and never varies. */
const STORE_RESULT = 'Files stored';

/**
 * The part both classes share: one client (REST or socket), one token kept fresh, and the
 * official client's promise methods.
 */
abstract class StackEvent {
  readonly #client: KissClient;
  readonly #tokens: TokenManager;
  readonly #policy: RetryPolicy;
  readonly #scheduler: SchedulerLike;
  #session: SessionResponse | null = null;

  protected constructor(transport: 'rest' | 'socket', hostnameOrOptions: string | EventOptions, secureProtocol?: boolean) {
    const options: EventOptions =
      typeof hostnameOrOptions === 'string' ? { hostname: hostnameOrOptions, secureProtocol } : { ...hostnameOrOptions };
    if (typeof options?.hostname !== 'string' || options.hostname === '') {
      throw new SessionMisuseError("Pass the server's host name without a scheme, e.g. new RestEvent('localhost:8080', false) or new RestEvent({ hostname: 'example.com' }).");
    }
    const { hostname, secureProtocol: secure = true, retry, refreshMargin, ...clientOptions } = options;
    const scheme = secure ? 'https' : 'http';
    this.#policy = retry ?? {};
    this.#scheduler = clientOptions.scheduler ?? asyncScheduler;
    this.#client = createClient({
      allowInsecure: !secure,
      ...clientOptions,
      url: `${scheme}://${hostname}`,
      transport: transport === 'socket' ? socketTransport : 'rest',
      refreshToken: (stale) => this.#tokens.refreshIfCurrent(stale, 'handshake'),
    });
    this.#tokens = new TokenManager({
      mint: (clientId, clientSecret) => this.#client.authorize({ clientId, clientSecret }),
      refreshMargin: refreshMargin ?? 30_000,
      scheduler: this.#scheduler,
    });
  }

  /** The last `authorizeStack` reply (with a refreshed token once it was refreshed), or null. */
  getSession(): SessionResponse | null {
    const current = this.#tokens.current;
    return this.#session && current ? { ...this.#session, access_token: current.accessToken } : this.#session;
  }

  /**
   * Authorizes: a new client for a `scope` (`temporary` or `persistent`), or a new token for a
   * persistent client's id and secret. Takes the official client's positional arguments or the
   * object of its README. Retried when safe; the token is refreshed before it expires.
   */
  authorizeStack(clientIdOrRequest?: string | { clientId?: string; clientSecret?: string; scope?: string }, clientSecret?: string, scope?: string): Promise<SessionResponse> {
    const given =
      typeof clientIdOrRequest === 'object' && clientIdOrRequest !== null ? clientIdOrRequest : { clientId: clientIdOrRequest, clientSecret, scope };
    const request = (given.scope !== undefined ? { scope: given.scope } : { clientId: given.clientId, clientSecret: given.clientSecret }) as AuthorizeRequest;
    return firstValueFrom(
      defer(() => this.#client.authorize(request)).pipe(
        retryWithPolicy<Authorization>('authorize', this.#policy, this.#scheduler),
      ),
    ).then((auth) => {
      this.#tokens.set(auth);
      this.#session = {
        access_token: auth.accessToken,
        client_id: auth.clientId,
        ...(auth.clientSecret === undefined ? {} : { client_secret: auth.clientSecret }),
        ...(given.scope === undefined ? {} : { scope: given.scope }),
      };
      return { ...this.#session };
    });
  }

  /** Bootstraps the stack (required before asking). @param data - the greeting sent; the server ignores it. */
  bootstrapStack(data?: string | { data?: string }): Promise<GenericResponseBody> {
    return this.#call('bootstrap', (auth) => this.#client.bootstrap(auth, { query: textOf(data) ?? 'Greetings!' })).then((reply) => ({
      stack_id: reply.stackId,
      result: reply.message,
      extras: null,
    }));
  }

  /** Asks a question; resolves with the server's reply (`result` is the answer). */
  generateAnswer(data?: string | { data?: string }): Promise<GenericResponseBody> {
    return this.#call('ask', (auth) => this.#client.ask(auth, textOf(data) as string)).then((answer) => ({
      stack_id: answer.stackId,
      result: answer.text,
      extras: { query: answer.question, metadata: answer.metadata, distances: answer.distances, supporting_documents: answer.supportingDocuments },
    }));
  }

  /**
   * Stores documents (file paths, or any document this library takes) with metadata. Unlike the
   * official client, a file that cannot be read fails the store (`DocumentError`), and nothing is
   * stored; a store the server did not do fails with `NotStoredError`.
   */
  storeData(filesOrRequest: readonly DocumentSource[] | { files: readonly DocumentSource[]; metadata?: Record<string, unknown> }, metadata?: Record<string, unknown>): Promise<GenericResponseBody> {
    const { files, metadata: meta } = Array.isArray(filesOrRequest)
      ? { files: filesOrRequest as readonly DocumentSource[], metadata }
      : (filesOrRequest as { files: readonly DocumentSource[]; metadata?: Record<string, unknown> });
    return this.#call('store', (auth) => this.#client.store(auth, files, { metadata: meta ?? {} })).then((stored) => ({
      stack_id: stored.stackId,
      result: STORE_RESULT,
      extras: { ...stored.documentIds },
    }));
  }

  /** Ends the session on the server (a temporary client ends for good) and forgets the token. */
  destroyStack(data?: string | { data?: string }): Promise<GenericResponseBody> {
    return this.#call('destroy', (auth) => this.#client.destroy(auth, { query: textOf(data) ?? 'Goodbye!' })).then((reply) => {
      this.#tokens.clear();
      this.#session = null;
      return { stack_id: reply.stackId, result: reply.message, extras: null };
    });
  }

  /** One call with the current token: refreshed once on `Invalid token`, retried by the policy. */
  #call<T>(step: Exclude<Step, 'authorize'>, run: (auth: Authorization) => Observable<T>): Promise<T> {
    return firstValueFrom(
      defer(() => {
        const auth = this.#tokens.current;
        if (!auth) {
          throw new SessionMisuseError(`There is no authorized session to ${step}; call authorizeStack first.`, { step });
        }
        return withFreshToken(auth, run, (stale) => this.#tokens.refreshIfCurrent(stale, 'expired'));
      }).pipe(retryWithPolicy<T>(step, this.#policy, this.#scheduler)),
    );
  }
}

/**
 * The official client's REST class: each call is one HTTP request.
 *
 * @example
 * ```ts
 * import { RestEvent } from 'kiss-ai-stack-rx/compat';
 *
 * const client = new RestEvent({ hostname: 'localhost:8080', secureProtocol: false });
 * await client.authorizeStack({ scope: 'temporary' });
 * await client.bootstrapStack({ data: 'Hello, Stack!' });
 * const reply = await client.generateAnswer({ data: 'What is KISS?' });
 * console.log(reply.result);
 * await client.destroyStack({ data: 'Goodbye!' });
 * ```
 * @category Compat
 */
export class RestEvent extends StackEvent {
  /**
   * @param hostname - host and port without a scheme (`localhost:8080`), or the options object
   * @param secureProtocol - `https` when true, `http` when false. @default true
   */
  constructor(hostname: string | EventOptions, secureProtocol?: boolean) {
    super('rest', hostname, secureProtocol);
  }
}

/**
 * The official client's WebSocket class, on this library's multiplexed socket: authorize goes
 * over REST, the rest over one shared WebSocket, and concurrent calls each get their own answer.
 *
 * @example
 * ```ts
 * import { WebSocketEvent } from 'kiss-ai-stack-rx/compat';
 *
 * const client = new WebSocketEvent('localhost:8080', false);
 * await client.authorizeStack(undefined, undefined, 'temporary');
 * await client.bootstrapStack('Hello, Stack!');
 * const replies = await Promise.all(['one?', 'two?'].map((q) => client.generateAnswer(q)));
 * console.log(replies.map((r) => r.result));
 * await client.destroyStack('Goodbye!');
 * ```
 * @category Compat
 */
export class WebSocketEvent extends StackEvent {
  /**
   * @param hostname - host and port without a scheme (`localhost:8080`), or the options object
   * @param secureProtocol - `wss`/`https` when true, `ws`/`http` when false. @default true
   */
  constructor(hostname: string | EventOptions, secureProtocol?: boolean) {
    super('socket', hostname, secureProtocol);
  }
}
