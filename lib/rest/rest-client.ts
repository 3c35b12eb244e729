/**
 * The REST lifecycle: authorize, bootstrap, ask, store, destroy, each a cold Observable.
 * @module
 */
import crossFetch from 'cross-fetch';
import type { Observable, SchedulerLike } from 'rxjs';
import { Authorization } from '../auth/authorization.js';
import { type ErrorContext, SessionMisuseError, type Step } from '../errors/kiss-error.js';
import { type DocumentSource, toWireFiles } from '../documents/document-source.js';
import { authResponseCodec, type AuthRequestBody, type Scope } from '../protocol/codecs.js';
import { decodeJson, parseJson } from '../protocol/decode.js';
import { type EndpointOptions, type Endpoint, resolveEndpoint } from './endpoint.js';
import { type CallOptions, type FetchLike, httpCall } from './http-call.js';
import {
  type Answer,
  decodeStackResponse,
  type SessionReply,
  type StoreResult,
  toAnswer,
  toSessionReply,
  toStoreResult,
} from './results.js';

/**
 * Options of {@link createRestClient}.
 * @category Client
 */
export interface RestClientOptions extends EndpointOptions {
  /** The `fetch` to use (a test double, an instrumented fetch). @default cross-fetch's `fetch` */
  fetch?: FetchLike;
  /** Headers added to every request (never logged). @default {} */
  headers?: Record<string, string>;
  /** Default per-call timeout in milliseconds; 0 disables. @default 60000 */
  timeout?: number;
  /** Scheduler for timeouts, so tests can run in virtual time. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * How to authorize: a `scope` for a new client, or the id and secret of an active one to mint a
 * fresh token for it.
 * @category Client
 */
export type AuthorizeRequest = { scope: Scope } | { clientId: string; clientSecret: string };

/**
 * Options of {@link RestClient.store}.
 * @category Client
 */
export interface StoreOptions extends CallOptions {
  /** Metadata stored with the documents. @default {} */
  metadata?: Record<string, unknown>;
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
 * The session lifecycle over REST. Every method returns a cold Observable that sends nothing until
 * subscribed, emits one typed value and completes, or errors with a {@link KissError}; unsubscribing
 * aborts the HTTP request.
 * @category Client
 */
export interface RestClient {
  /** The resolved server addresses. */
  readonly endpoint: Endpoint;
  /**
   * `POST /auth`: a new client for a scope, or a fresh token for an active client.
   *
   * @example
   * ```ts
   * const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
   * ```
   */
  authorize(request: AuthorizeRequest, options?: CallOptions): Observable<Authorization>;
  /** `POST /sessions?action=init`: starts the client's stack. Allowed more than once. */
  bootstrap(auth: Authorization, options?: SessionCallOptions): Observable<SessionReply>;
  /** `POST /queries`: asks a question of a bootstrapped stack. */
  ask(auth: Authorization, question: string, options?: CallOptions): Observable<Answer>;
  /**
   * `POST /documents`: stores documents for retrieval-augmented answers. Fails with
   * {@link DocumentError} for an unreadable file (nothing is sent) and {@link NotStoredError} when
   * the server reports a failed store.
   */
  store(auth: Authorization, documents: DocumentSource | readonly DocumentSource[], options?: StoreOptions): Observable<StoreResult>;
  /** `POST /sessions?action=close`: ends the session; a temporary client can no longer be used. */
  destroy(auth: Authorization, options?: SessionCallOptions): Observable<SessionReply>;
}

const DEFAULT_TIMEOUT_MS = 60_000;

function authorizeBody(request: AuthorizeRequest, context: ErrorContext): AuthRequestBody {
  if (request && 'scope' in request) {
    if (request.scope !== 'temporary' && request.scope !== 'persistent') {
      throw new SessionMisuseError(`Unknown scope "${String(request.scope)}"; use 'temporary' or 'persistent'.`, context);
    }
    return { scope: request.scope };
  }
  if (request && typeof request.clientId === 'string' && request.clientId && typeof request.clientSecret === 'string' && request.clientSecret) {
    return { client_id: request.clientId, client_secret: request.clientSecret };
  }
  throw new SessionMisuseError('authorize needs either { scope } or both { clientId, clientSecret }.', context);
}

function requireAuth(auth: Authorization, context: ErrorContext): string {
  if (!(auth instanceof Authorization) || !auth.accessToken) {
    throw new SessionMisuseError(`${context.step} needs the Authorization emitted by authorize(); call authorize first.`, context);
  }
  return auth.accessToken;
}

/**
 * Creates a REST client for one server.
 *
 * @example
 * ```ts
 * import { createRestClient } from 'kiss-ai-stack-rx';
 * import { firstValueFrom } from 'rxjs';
 *
 * const client = createRestClient({ host: 'localhost', port: 8080, secure: false });
 * const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
 * await firstValueFrom(client.bootstrap(auth));
 * const answer = await firstValueFrom(client.ask(auth, 'What is KISS?'));
 * console.log(answer.text);
 * await firstValueFrom(client.destroy(auth));
 * ```
 * @category Client
 */
export function createRestClient(options: RestClientOptions): RestClient {
  const endpoint = resolveEndpoint(options);
  const fetchImpl: FetchLike = options.fetch ?? (crossFetch as unknown as FetchLike);
  const defaults = { ...(options.headers ?? {}) };
  const defaultTimeout = options.timeout ?? DEFAULT_TIMEOUT_MS;

  function call<T>(
    step: Step,
    path: string,
    token: (context: ErrorContext) => string | undefined,
    body: (context: ErrorContext) => unknown,
    read: (text: string, context: ErrorContext) => T,
    callOptions: CallOptions = {},
  ): Observable<T> {
    const url = `${endpoint.httpBase}${path}`;
    const context: ErrorContext = { step, method: 'POST', url };
    const timeout = callOptions.timeout ?? defaultTimeout;
    return httpCall<T>({
      fetch: fetchImpl,
      url,
      prepare: async () => {
        const bearer = token(context);
        const headers = bearer === undefined ? defaults : { ...defaults, Authorization: `Bearer ${bearer}` };
        return { headers, body: await body(context) };
      },
      read: (text) => read(text, context),
      context,
      timeout,
      signal: callOptions.signal,
      scheduler: options.scheduler,
    });
  }

  const stackRead = <T>(map: (body: ReturnType<typeof decodeStackResponse>, context: ErrorContext) => T) =>
    (text: string, context: ErrorContext) => map(decodeStackResponse(parseJson(text, 'StackResponse', context), context), context);

  return {
    endpoint,
    authorize(request, callOptions) {
      return call(
        'authorize',
        '/auth',
        () => undefined,
        (context) => authorizeBody(request, context),
        (text, context) => {
          const body = decodeJson(authResponseCodec, text, context);
          return new Authorization(body.access_token, body.client_id, body.client_secret, 'scope' in request ? request.scope : undefined);
        },
        callOptions,
      );
    },
    bootstrap(auth, callOptions) {
      return call(
        'bootstrap',
        '/sessions?action=init',
        (context) => requireAuth(auth, context),
        () => ({ query: callOptions?.query ?? 'Hi' }),
        stackRead(toSessionReply),
        callOptions,
      );
    },
    ask(auth, question, callOptions) {
      return call(
        'ask',
        '/queries',
        (context) => requireAuth(auth, context),
        (context) => {
          if (typeof question !== 'string' || !question.trim()) {
            throw new SessionMisuseError('ask needs a non-empty question string.', context);
          }
          return { query: question };
        },
        stackRead((body, context) => toAnswer(body, question, context)),
        callOptions,
      );
    },
    store(auth, documents, callOptions) {
      let names: string[] = [];
      return call(
        'store',
        '/documents',
        (context) => requireAuth(auth, context),
        async (context) => {
          const metadata = callOptions?.metadata ?? {};
          if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
            throw new SessionMisuseError('store metadata must be a plain object.', context);
          }
          const files = await toWireFiles(documents, context);
          names = files.map((f) => f.name);
          return { files, metadata };
        },
        stackRead((body, context) => toStoreResult(body, names, context)),
        callOptions,
      );
    },
    destroy(auth, callOptions) {
      return call(
        'destroy',
        '/sessions?action=close',
        (context) => requireAuth(auth, context),
        () => ({ query: callOptions?.query ?? 'Bye' }),
        stackRead(toSessionReply),
        callOptions,
      );
    },
  };
}
