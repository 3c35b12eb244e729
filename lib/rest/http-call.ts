/**
 * One HTTP exchange: POST, read, decode, or a typed error. Cancelling aborts the request.
 * Redirects are handled here, the same for every HTTP stack below: a 307/308 to the same origin
 * is followed (at most {@link MAX_REDIRECTS} times); a redirect to another origin never is, since
 * every request carries a bearer token or a client secret.
 * @module
 */
import type { Settle } from '../call/call.js';
import { type ErrorContext, HttpError, KissError, withoutSecrets } from '../errors/kiss-error.js';
import { errorFromHttpResponse, errorFromNetworkFailure } from '../errors/from-response.js';
import { scrubSecrets } from '../errors/redact.js';
import { encodeBody } from '../protocol/encode.js';
import { isStreamedBody } from '../protocol/streamed-body.js';
import type { CancelToken, HttpReply, HttpRequester } from './http-requester.js';

export type { FetchLike } from './http-requester.js';

/** Same-origin 307/308 redirects followed for one request, at most. */
export const MAX_REDIRECTS = 5;

/** @internal Everything one exchange needs. */
export interface HttpExchange<T> {
  requester: HttpRequester;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Turns a 2xx reply into the result (decoding happens here), or throws. */
  read: (text: string, reply: HttpReply) => T;
  context: ErrorContext;
  /** What must never come back inside an error: the request's token, a client secret. */
  secrets: readonly (string | undefined)[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Starts one POST exchange; returns the function that aborts it.
 * @internal
 */
export function startHttpCall<T>(exchange: HttpExchange<T>, settle: Settle<T>): () => void {
  const { context } = exchange;
  const cancel: CancelToken = { aborted: false };
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...exchange.headers };
  // A store's streamed body stays a stream: each requester writes it its own way, again at each send.
  const body = isStreamedBody(exchange.body) ? exchange.body : encodeBody(exchange.body);
  const run = async (): Promise<T> => {
    let url = exchange.url;
    for (let hops = 0; ; hops++) {
      let reply: HttpReply;
      try {
        reply = await exchange.requester({ url, headers, body, cancel });
      } catch (error) {
        throw errorFromNetworkFailure(error, context);
      }
      if (reply.url !== undefined) answeredHere(reply.url, reply.status, url, context);
      if (reply.status >= 200 && reply.status <= 299) return exchange.read(reply.text, reply);
      if (!REDIRECTS.has(reply.status) && reply.status !== 0) {
        throw errorFromHttpResponse(reply.status, scrubSecrets(reply.text, exchange.secrets), context, reply.header('retry-after'));
      }
      url = followable(reply, url, hops, context);
    }
  };
  run().then(settle.ok, (error: unknown) =>
    settle.fail(withoutSecrets(error instanceof KissError ? error : errorFromNetworkFailure(error, context), exchange.secrets)),
  );
  return () => {
    cancel.aborted = true;
    cancel.abort?.();
  };
}

/**
 * Refuses an answer from another origin than the request's: an HTTP stack that follows redirects
 * by itself (a user's `fetch`, a browser's XHR under Angular's HttpClient) has already sent the
 * request there, token and all; its answer is not trusted, and the error says how to stop it.
 */
function answeredHere(answeredBy: string, status: number, requested: string, context: ErrorContext): void {
  let origin: string;
  try {
    origin = new URL(answeredBy).origin;
  } catch {
    return; // not a URL to judge (some fetch doubles give ''): the exchange's own rules apply
  }
  if (origin === new URL(requested).origin) return;
  const where = context.step ? ` during ${context.step}` : '';
  throw new HttpError(
    status,
    undefined,
    context,
    `The request${where} was redirected to another origin, ${origin}, and the HTTP stack followed the redirect by itself; its answer was refused. ` +
      "Point the client at the server's final URL, and give it a fetch that does not follow redirects (with Angular's HttpClient: provideHttpClient(withFetch())).",
  );
}

/** The URL a redirect leads to when it may be followed; else the error saying why it was not. */
function followable(reply: HttpReply, from: string, hops: number, context: ErrorContext): string {
  const status = reply.status;
  const where = context.step ? ` during ${context.step}` : '';
  // A browser's fetch in 'manual' mode hides redirects (an opaque response with status 0).
  if (status === 0) {
    return fail(status, `The server redirected the request${where}, and the browser does not say where; it was not followed. Point the client at the server's final URL.`);
  }
  let target: URL;
  try {
    target = new URL(reply.header('location') ?? '', from);
  } catch {
    return fail(status, `The server answered the request${where} with a redirect (HTTP ${status}) to an unreadable location; it was not followed.`);
  }
  if (!reply.header('location')) {
    return fail(status, `The server answered the request${where} with a redirect (HTTP ${status}) without a location; it was not followed.`);
  }
  if (target.origin !== new URL(from).origin) {
    return fail(
      status,
      `The server redirected the request${where} (HTTP ${status}) to another origin, ${target.origin}; it was not followed, so no token or secret went there. ` +
        'If the server really moved, point the client at its new URL.',
    );
  }
  if (status !== 307 && status !== 308) {
    return fail(status, `The server redirected the request${where} with HTTP ${status}, which would turn the POST into a GET; it was not followed. Point the client at ${target.origin}${target.pathname}.`);
  }
  if (hops >= MAX_REDIRECTS) {
    return fail(status, `The server redirected the request${where} ${hops + 1} times in a row (a redirect loop); it gave up. Check the server's or the proxy's redirect rules.`);
  }
  return target.href;

  function fail(code: number, message: string): never {
    throw new HttpError(code, undefined, context, message);
  }
}
