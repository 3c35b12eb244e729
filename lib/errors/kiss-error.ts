/**
 * The typed errors of kiss-ai-stack-rx: one base class with a discriminating `kind`, and a small set
 * of kinds. Whether an error is worth retrying is decided elsewhere, not by the class.
 * @module
 */
import { redactText, scrubSecrets } from './redact.js';
import type { PayloadTooLargeError, SocketClosedError } from '../socket/errors.js';

/**
 * The lifecycle step an error happened in.
 * @category Errors
 */
export type Step = 'authorize' | 'bootstrap' | 'ask' | 'store' | 'destroy';

/**
 * Every kind of {@link KissError}, one per subclass.
 * @category Errors
 */
export type KissErrorKind =
  | 'unauthorized'
  | 'validation'
  | 'http'
  | 'server'
  | 'decode'
  | 'transport'
  | 'misuse'
  | 'document'
  | 'not-stored'
  | 'too-large'
  | 'socket-closed'
  | 'timeout'
  | 'cancelled';

/**
 * Where an error happened: the step, and the request it was making (never its headers or body).
 * @category Errors
 */
export interface ErrorContext {
  /** The lifecycle step. */
  step?: Step;
  /** HTTP method, or `WS` for the socket. */
  method?: string;
  /** The URL requested, without query secrets (the protocol never puts secrets in URLs). */
  url?: string;
}

/**
 * The brand every error of this library carries on its prototype chain, one key per class, in the
 * global symbol registry: two copies of the package (its ESM and CommonJS builds, or two versions
 * in one app) give the same keys, so {@link isKissError} and `instanceof` recognise each other's
 * errors. The class's name is set here too, not taken from the constructor, which a minifier renames.
 */
const brandKey = (name: string): symbol => Symbol.for(`kiss-ai-stack-rx/${name}`);

/** @internal Brands an error class of this library (every subclass, in a static block). */
export function brand(target: { prototype: object }, name: string): void {
  Object.defineProperty(target.prototype, brandKey(name), { value: true });
  Object.defineProperty(target.prototype, 'name', { value: name, writable: true, configurable: true });
}

/** True when `value`'s prototype chain carries the brand of the class named `name`. */
const hasBrand = (value: unknown, name: string): boolean =>
  typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brandKey(name)] === true;

/**
 * Base class of every error this library emits. Switch on `kind` (or use `instanceof` on a
 * subclass) to decide what to do; `message` is a plain sentence saying what happened and what to do.
 * Messages, `toString()` and `toJSON()` never contain tokens or client secrets.
 *
 * @example
 * ```ts
 * client.ask(auth, 'hi').subscribe({
 *   error: (e: KissError) => {
 *     if (e.kind === 'unauthorized') reauthorize();
 *     else console.error(e.message);
 *   },
 * });
 * ```
 * @category Errors
 */
export abstract class KissError extends Error {
  static {
    brand(this, 'KissError');
  }
  /** Which kind of failure this is. */
  abstract readonly kind: KissErrorKind;
  /** The step and request the error belongs to. */
  readonly context: ErrorContext;

  protected constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(redactText(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.context = { ...context };
  }

  /**
   * `instanceof` by brand rather than by prototype identity, so an error made by another copy of
   * this package (its CommonJS build beside its ESM build) still matches its class.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, (this as { prototype: { name: string } }).prototype.name);
  }

  /** A JSON view for logs: name, kind, message, context and the kind's own fields. */
  toJSON(): Record<string, unknown> {
    const own: Record<string, unknown> = {};
    for (const key of Object.keys(this)) {
      if (key !== 'cause') own[key] = (this as Record<string, unknown>)[key];
    }
    return { name: this.name, message: this.message, ...own };
  }
}

/** ` during ask`, ` calling http://…`, or nothing: where an error happened, for its message. @internal */
export const where = (context: ErrorContext) =>
  context.step ? ` during ${context.step}` : context.url ? ` calling ${context.url}` : '';

/**
 * The server answered with an HTTP error status. Base of {@link UnauthorizedError},
 * {@link ValidationError} and {@link ServerError}; used as is for other statuses (400, 404, 405).
 *
 * @example
 * ```ts
 * if (e instanceof HttpError) console.error(e.status, e.detail); // e.g. 400 'Invalid action: foo'
 * ```
 * @category Errors
 */
export class HttpError extends KissError {
  static {
    brand(this, 'HttpError');
  }
  readonly kind: 'http' | 'unauthorized' | 'validation' | 'server' = 'http';
  /**
   * @param status - the HTTP status (or a socket error frame's `status_code`)
   * @param detail - the server's `detail` sentence, when it sent one
   */
  constructor(
    readonly status: number,
    readonly detail: string | undefined,
    context: ErrorContext = {},
    message?: string,
    /** Milliseconds the server asked us to wait before retrying (`Retry-After`), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message ?? httpMessage(status, detail, context, retryAfterMs), context);
  }
}

function httpMessage(status: number, detail: string | undefined, context: ErrorContext, retryAfterMs: number | undefined): string {
  const head = `The server refused the request${where(context)} with HTTP ${status}${detail ? `: ${detail}` : ''}.`;
  if (status === 429) {
    const wait = retryAfterMs === undefined ? 'a while' : `${Math.ceil(retryAfterMs / 1000)} s`;
    return `${head} It is limiting how fast this client may call it; wait ${wait} and retry (sessions retry it by themselves).`;
  }
  return `${head} Check the request and the server version; retrying the same request will not help.`;
}

/**
 * Why a 401 happened, read from the server's `detail`.
 * @category Errors
 */
export type UnauthorizedReason =
  | 'missing-header'
  | 'invalid-token'
  | 'inactive-session'
  | 'invalid-credentials'
  | 'missing-credentials'
  | 'unknown';

const UNAUTHORIZED_ADVICE: Record<UnauthorizedReason, string> = {
  'missing-header': 'The request carried no bearer token; authorize first and pass the authorization to the call.',
  'invalid-token': 'The token is expired or was not issued by this server; authorize again (with the client id and secret to keep the same client).',
  'inactive-session': 'The client has ended (a temporary session was destroyed, or the server dropped it); authorize a new client with a scope.',
  'invalid-credentials': 'The client id and secret do not match; use the pair returned by the first authorization.',
  'missing-credentials': 'Pass either a scope or both a client id and a client secret.',
  unknown: 'Authorize again, then retry.',
};

/**
 * HTTP 401: no token, a bad or expired token, wrong credentials, or a client that has ended.
 *
 * @example
 * ```ts
 * if (e instanceof UnauthorizedError && e.reason === 'inactive-session') startNewSession();
 * ```
 * @category Errors
 */
export class UnauthorizedError extends HttpError {
  static {
    brand(this, 'UnauthorizedError');
  }
  override readonly kind = 'unauthorized' as const;
  /** Why, as far as the server's `detail` tells. */
  readonly reason: UnauthorizedReason;
  constructor(detail: string | undefined, context: ErrorContext = {}) {
    const reason = unauthorizedReason(detail);
    super(
      401,
      detail,
      context,
      `The server refused the request${where(context)} as unauthorized (401${detail ? `: ${detail}` : ''}). ${UNAUTHORIZED_ADVICE[reason]}`,
    );
    this.reason = reason;
  }
}

function unauthorizedReason(detail: string | undefined): UnauthorizedReason {
  if (!detail) return 'unknown';
  if (/header missing/i.test(detail)) return 'missing-header';
  if (/invalid token/i.test(detail)) return 'invalid-token';
  if (/inactive session/i.test(detail)) return 'inactive-session';
  if (/client_id or client_secret/i.test(detail)) return 'invalid-credentials';
  if (/must be provided/i.test(detail)) return 'missing-credentials';
  return 'unknown';
}

/**
 * One field the server rejected: where (`body.files`) and why.
 * @category Errors
 */
export interface FieldIssue {
  /** Dotted location, e.g. `body.files` or `query.action`. */
  location: string;
  /** The server's message, e.g. `Field required`. */
  message: string;
  /** The server's issue type, e.g. `missing` or `value_error.missing`. */
  type: string;
}

/**
 * HTTP 422 (or a socket `Invalid data` frame): the request body failed the server's validation.
 *
 * @example
 * ```ts
 * if (e instanceof ValidationError) e.issues.forEach((i) => console.error(i.location, i.message));
 * ```
 * @category Errors
 */
export class ValidationError extends HttpError {
  static {
    brand(this, 'ValidationError');
  }
  override readonly kind = 'validation' as const;
  constructor(
    status: number,
    /** The fields the server rejected (empty when it only said `Invalid data`). */
    readonly issues: readonly FieldIssue[],
    context: ErrorContext = {},
    detail?: string,
  ) {
    const list = issues.map((i) => `${i.location}: ${i.message}`).join('; ');
    super(
      status,
      detail ?? (list || undefined),
      context,
      `The server rejected the request${where(context)} as invalid (${status}${list ? `: ${list}` : detail ? `: ${detail}` : ''}). ` +
        'Fix the listed fields; this is a client bug or a server version mismatch, so retrying will not help.',
    );
  }
}

/**
 * HTTP 5xx. A 500 from this server usually means the stack was used before bootstrap or after it
 * was destroyed; 502/503/504 are transient and worth retrying later.
 *
 * @example
 * ```ts
 * if (e instanceof ServerError && e.retryAfterMs) setTimeout(retry, e.retryAfterMs);
 * ```
 * @category Errors
 */
export class ServerError extends HttpError {
  static {
    brand(this, 'ServerError');
  }
  override readonly kind = 'server' as const;
  constructor(
    status: number,
    detail: string | undefined,
    context: ErrorContext = {},
    retryAfterMs?: number,
  ) {
    super(status, detail, context, serverMessage(status, detail, context), retryAfterMs);
  }
}

function serverMessage(status: number, detail: string | undefined, context: ErrorContext): string {
  const head = `The server failed${where(context)} with HTTP ${status}${detail ? ` (${detail})` : ''}.`;
  if (status !== 500) return `${head} The server or a proxy is unavailable; retry after a short wait.`;
  if (context.step === 'authorize') {
    return `${head} It answers 500 to an unknown scope; use 'temporary' or 'persistent'.`;
  }
  if (context.step && context.step !== 'bootstrap') {
    return `${head} This server answers 500 when a stack is used before bootstrap or after it was destroyed; bootstrap the session first, and do not reuse a destroyed one.`;
  }
  return `${head} Check the server's logs; retrying the same request is unlikely to help.`;
}

/**
 * A body from the server did not match the protocol: names the path that failed and shows the
 * received value, truncated and with secrets redacted.
 *
 * @example
 * ```ts
 * if (e instanceof DecodeError) console.error(`bad ${e.expected} at ${e.path}: ${e.received}`);
 * ```
 * @category Errors
 */
export class DecodeError extends KissError {
  static {
    brand(this, 'DecodeError');
  }
  readonly kind = 'decode' as const;
  constructor(
    /** What was being decoded, e.g. `AuthResponse`. */
    readonly expected: string,
    /** Where in the body decoding failed, e.g. `extras.distances`. Empty for the root. */
    readonly path: string,
    /** The offending value, redacted and truncated. */
    readonly received: string,
    context: ErrorContext = {},
  ) {
    super(
      `The server sent a ${expected}${where(context)} that does not match the protocol: ` +
        `${path ? `at \`${path}\`` : 'the body'} got ${received}. ` +
        'The server may be a different version or not a KISS AI Stack server; check the URL and server version.',
      context,
    );
  }
}

/**
 * Why the network failed.
 * @category Errors
 */
export type TransportReason = 'refused' | 'dns' | 'unreachable' | 'reset' | 'closed' | 'unknown';

const TRANSPORT_ADVICE: Record<TransportReason, string> = {
  refused: 'Nothing is listening there: check the host and port, and that the server is running.',
  dns: 'The host name did not resolve: check the host option.',
  unreachable: 'The network cannot reach the host: check the host and your connection.',
  reset: 'The connection dropped mid-request: retry; if it persists, check proxies between you and the server.',
  closed: 'The connection closed before an answer arrived: retry if the request is safe to repeat.',
  unknown: 'Check the host, port and `secure` options, and that the server is running.',
};

/**
 * The request never got an HTTP answer: connection refused, host unknown or unreachable, reset.
 *
 * @example
 * ```ts
 * if (e instanceof TransportError && e.reason === 'refused') showOffline();
 * ```
 * @category Errors
 */
export class TransportError extends KissError {
  static {
    brand(this, 'TransportError');
  }
  readonly kind = 'transport' as const;
  constructor(
    /** What went wrong with the connection. */
    readonly reason: TransportReason,
    context: ErrorContext = {},
    options?: { cause?: unknown; detail?: string },
  ) {
    super(
      `Could not reach the server${where(context)}${context.url && context.step ? ` (${context.url})` : ''}` +
        `${options?.detail ? `: ${options.detail}` : ''}. ${TRANSPORT_ADVICE[reason]}`,
      context,
      options,
    );
  }
}

/**
 * The library was called in a way that cannot work (bad option, empty question, a call in the
 * wrong session state). Nothing was sent to the server.
 *
 * @example
 * ```ts
 * session.ask('too early').subscribe({ error: (e) => e instanceof SessionMisuseError && console.error(e.message) });
 * ```
 * @category Errors
 */
export class SessionMisuseError extends KissError {
  static {
    brand(this, 'SessionMisuseError');
  }
  readonly kind = 'misuse' as const;
  /** @param message - what was wrong and what to do instead, in a sentence */
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
  }
}

/**
 * A document could not be read (missing or unreadable file, unsupported input). Names the file.
 *
 * @example
 * ```ts
 * if (e instanceof DocumentError) console.error(`cannot read ${e.fileName}`);
 * ```
 * @category Errors
 */
export class DocumentError extends KissError {
  static {
    brand(this, 'DocumentError');
  }
  readonly kind = 'document' as const;
  constructor(
    /** The file name or path as given. */
    readonly fileName: string,
    problem: string,
    context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(`Document "${fileName}" ${problem}. Nothing was stored; fix or remove it and store again.`, context, options);
  }
}

/**
 * The server answered a store with `"Files stored"` but no document ids (`extras: null`), which is
 * how it reports a store that failed: nothing was stored.
 *
 * @example
 * ```ts
 * if (e instanceof NotStoredError) console.error(`not stored: ${e.fileNames.join(', ')}`);
 * ```
 * @category Errors
 */
export class NotStoredError extends KissError {
  static {
    brand(this, 'NotStoredError');
  }
  readonly kind = 'not-stored' as const;
  constructor(
    /** The base names of the files that were sent. */
    readonly fileNames: readonly string[],
    context: ErrorContext = {},
  ) {
    super(
      `The server answered the store of ${fileNames.join(', ')} without document ids, which is how it reports a failed store: nothing was stored. ` +
        "Check that the files are of a type the server's document tool reads, then store them again.",
      context,
    );
  }
}

/**
 * No answer arrived within the timeout. The request was cancelled.
 *
 * @example
 * ```ts
 * client.ask(auth, 'q', { timeout: 5_000 }).subscribe({ error: (e) => e instanceof KissTimeoutError && showSlow() });
 * ```
 * @category Errors
 */
export class KissTimeoutError extends KissError {
  static {
    brand(this, 'KissTimeoutError');
  }
  readonly kind = 'timeout' as const;
  constructor(
    /** The timeout that expired, in milliseconds. */
    readonly timeoutMs: number,
    context: ErrorContext = {},
  ) {
    super(
      `No answer${where(context)} within ${timeoutMs} ms, so the request was cancelled. ` +
        'Raise the timeout for slow models, or check that the server is healthy.',
      context,
    );
  }
}

/**
 * The caller cancelled the request through an `AbortSignal`. (Unsubscribing cancels silently.)
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * client.ask(auth, 'q', { signal: ac.signal }).subscribe({ error: (e) => e instanceof CancelledError });
 * ac.abort();
 * ```
 * @category Errors
 */
export class CancelledError extends KissError {
  static {
    brand(this, 'CancelledError');
  }
  readonly kind = 'cancelled' as const;
  /**
   * @param context - the step and request
   * @param why - what cancelled it, when not the caller's AbortSignal
   */
  constructor(context: ErrorContext = {}, why?: string) {
    super(
      why
        ? `The request${where(context)} was cancelled: ${why}.`
        : `The request${where(context)} was cancelled by its AbortSignal before it finished; nothing to do unless that was unexpected.`,
      context,
    );
  }
}

/**
 * Every concrete error kind, for exhaustive `switch (error.kind)`.
 * @category Errors
 */
export type AnyKissError =
  // A plain HttpError: its subclasses are listed on their own, so `switch (error.kind)` narrows.
  | (HttpError & {
      /** `http`: a status with no class of its own (400, 404, 405, 429, a redirect not followed). */
      readonly kind: 'http';
    })
  | UnauthorizedError
  | ValidationError
  | ServerError
  | DecodeError
  | TransportError
  | SessionMisuseError
  | DocumentError
  | NotStoredError
  | PayloadTooLargeError
  | SocketClosedError
  | KissTimeoutError
  | CancelledError;

/**
 * A copy of `error` (same class, same fields) whose message, stack and context are replaced. The
 * one way this library rewrites an error it already made.
 */
function copyError<E extends KissError>(error: E, changes: { message: string; stack?: string; context?: ErrorContext; fields?: Record<string, unknown> }): E {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as E;
  Object.assign(copy, error, changes.fields);
  Object.defineProperties(copy, {
    message: { value: changes.message, writable: true, configurable: true },
    stack: { value: changes.stack ?? error.stack, writable: true, configurable: true },
    ...(changes.context ? { context: { value: { ...changes.context }, enumerable: true, writable: false } } : {}),
    ...(error.cause === undefined ? {} : { cause: { value: error.cause, writable: true, configurable: true } }),
  });
  return copy;
}

/**
 * The same error as its caller sees it: `context` (the step the caller called) replaces the
 * context the error was made in, and the message's "during <step>" follows. Used when one failure
 * (a refused refresh, a failed session) settles requests of several steps.
 * @internal
 */
export function inContext<E extends KissError>(error: E, context: ErrorContext): E {
  if (error.context.step === context.step && error.context.url === context.url) return error;
  const before = where(error.context);
  const message = before && error.message.includes(before) ? error.message.replace(before, where(context)) : error.message;
  return copyError(error, { message, context });
}

/**
 * The same error with every occurrence of `secrets` (a request's token, a client secret) removed
 * from its message and its text fields: the last guard for text the server sent back (a decode
 * preview of a body that echoed the request). The error itself when none occurs.
 * @internal
 */
export function withoutSecrets<E extends KissError>(error: E, secrets: readonly (string | undefined)[]): E {
  const present = secrets.filter((secret): secret is string => !!secret && secret.length >= 6);
  const fields = Object.entries(error).filter(([, value]) => typeof value === 'string') as [string, string][];
  const leaks = (text: string) => present.some((secret) => text.includes(secret));
  if (!present.length || (!leaks(error.message) && !fields.some(([, value]) => leaks(value)))) return error;
  return copyError(error, {
    message: scrubSecrets(error.message, present),
    stack: scrubSecrets(error.stack ?? '', present),
    fields: Object.fromEntries(fields.map(([key, value]) => [key, scrubSecrets(value, present)])),
  });
}

/**
 * True when `value` is an error from this library.
 *
 * @example
 * ```ts
 * catchError((e) => (isKissError(e) && e.kind === 'timeout' ? of(fallback) : throwError(() => e)))
 * ```
 * @category Errors
 */
export function isKissError(value: unknown): value is AnyKissError {
  return hasBrand(value, 'KissError');
}
