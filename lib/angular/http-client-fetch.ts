/**
 * A `fetch` over Angular's HttpClient, so the session's REST calls pass through the application's
 * interceptors (auth headers, logging, `HttpTestingController` in tests) like any other request.
 * @module
 */
import { HttpErrorResponse, type HttpClient, HttpHeaders, type HttpResponseBase } from '@angular/common/http';
import type { Subscription } from 'rxjs';
import type { FetchLike } from 'kiss-ai-stack-rx';

/**
 * Options of {@link httpClientFetch}.
 *
 * @example
 * ```ts
 * // The application uses provideHttpClient(withFetch()): let the client judge redirects itself.
 * const fetch = httpClientFetch(inject(HttpClient), { manualRedirects: true });
 * ```
 * @category Angular
 */
export interface HttpClientFetchOptions {
  /**
   * Ask HttpClient not to follow redirects (`redirect: 'manual'`), so the client judges them itself
   * and never follows one to another origin with its token or secret. Only HttpClient's fetch
   * backend (`provideHttpClient(withFetch())`) can do this; its XHR backend warns about the option
   * and the browser follows redirects itself. `provideKissSession` sets it when the application's
   * backend is the fetch backend.
   * @default false
   */
  manualRedirects?: boolean;
}

/**
 * A `fetch` for the session's `fetch` option that sends every REST call through Angular's
 * `HttpClient` (as text, so the client still decodes and validates the server's JSON itself).
 * Interceptors see each call (`POST {url}/auth`, `/sessions`, `/queries`, `/documents`, with the
 * `Authorization` header), can add headers, and `HttpTestingController` can answer them in tests.
 * Cancelling a call (unsubscribing, a timeout) unsubscribes the HttpClient request, which aborts it.
 *
 * What it resolves with is not a full `Response`: it has `status`, `statusText`, `ok`, `type`,
 * `url`, `redirected`, `headers.get()`, `text()` and `json()`, which is what the client reads.
 * A request that got no answer at all (HTTP status 0: offline, refused, blocked by CORS) rejects
 * with a `TypeError`, as `fetch` does.
 *
 * Redirects: the client follows a 307/308 to the same origin itself and refuses one to another
 * origin. With HttpClient's fetch backend pass `manualRedirects` so that holds here too. With its
 * XHR backend the browser follows redirects before anyone can refuse; the response says which URL
 * answered, and the client refuses an answer from another origin with an `HttpError` saying so.
 *
 * @param http - the application's `HttpClient` (interceptors are the ones of its injector)
 * @param options - see {@link HttpClientFetchOptions}
 * @returns a `fetch` for `createSession({ url, fetch })` (`provideKissSession` uses it by itself)
 * @example
 * ```ts
 * const http = inject(HttpClient);
 * const session = createSession({ url: 'https://stack.example.com', fetch: httpClientFetch(http) });
 * ```
 * @category Angular
 */
export function httpClientFetch(http: HttpClient, options: HttpClientFetchOptions = {}): FetchLike {
  const manual = options.manualRedirects === true;
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal;
      if (signal?.aborted) return reject(abortError());
      const request = http.request(init.method ?? 'GET', input, {
        body: init.body ?? null,
        headers: new HttpHeaders(headerRecord(init.headers)),
        observe: 'response',
        responseType: 'text',
        ...(manual ? { redirect: 'manual' as const } : {}),
      });
      // Set up before subscribing: an interceptor (or a test double) may answer synchronously.
      let subscription: Subscription | undefined;
      const onAbort = () => {
        subscription?.unsubscribe();
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      subscription = request.subscribe({
        next: (response) => settle(response, response.body ?? ''),
        error: (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          if (error instanceof HttpErrorResponse && (error.status !== 0 || error.responseType === 'opaqueredirect')) {
            return settle(error, typeof error.error === 'string' ? error.error : '');
          }
          reject(new TypeError('Failed to fetch: the request got no answer (offline, refused, or blocked by CORS).', { cause: error }));
        },
      });

      function settle(response: HttpResponseBase, text: string) {
        signal?.removeEventListener('abort', onAbort);
        // The URL that answered: another origin's (the XHR backend followed a redirect) is refused
        // by the client's own redirect rules, which read it from here.
        resolve(responseOf(response, text, response.url ?? input));
      }
    });
}

/** The parts of a `Response` the client reads, over an HttpClient answer. */
function responseOf(response: HttpResponseBase, text: string, url: string): Response {
  const reply = {
    status: response.status,
    statusText: response.statusText,
    ok: response.ok,
    type: response.responseType ?? 'basic',
    url,
    redirected: response.redirected ?? false,
    headers: { get: (name: string) => response.headers.get(name), has: (name: string) => response.headers.has(name) },
    text: () => Promise.resolve(text),
    json: () => Promise.resolve().then(() => JSON.parse(text) as unknown),
  };
  return reply as unknown as Response;
}

/** `init.headers` in any of fetch's forms, as a record. */
function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  if (!headers) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  if (typeof (headers as Headers).forEach === 'function') {
    const record: Record<string, string> = {};
    (headers as Headers).forEach((value, name) => (record[name] = value));
    return record;
  }
  return { ...(headers as Record<string, string>) };
}

function abortError(): Error {
  return Object.assign(new Error('The request was cancelled.'), { name: 'AbortError' });
}
