// The Angular entry's plain helpers: typed answer sources, page-relative URLs, and the fetch over
// HttpClient (driven here by a stand-in HttpClient, so every outcome can be made to happen).
import { type HttpClient, HttpErrorResponse, HttpHeaders, HttpResponse } from '@angular/common/http';
import { firstValueFrom, Observable, of, throwError } from 'rxjs';
import { type Answer, createClient, HttpError, SessionMisuseError } from '../../lib';
import { answerSources, httpClientFetch, resolvePageUrl } from '../../lib/angular';
import { failure } from '../support/failure';

const answer = (extras: Pick<Answer, 'metadata' | 'distances' | 'supportingDocuments'>): Answer => ({ stackId: 's', question: 'q', text: 't', ...extras });

describe('answerSources', () => {
  it('zips the server’s nested lists (one per query) into one typed source per document', () => {
    expect(
      answerSources(answer({ supportingDocuments: [['A', 'B']], metadata: [[{ team: 'hr' }, { team: 'pay' }]], distances: [[0.1, 0.25]] })),
    ).toEqual([
      { text: 'A', metadata: { team: 'hr' }, distance: 0.1 },
      { text: 'B', metadata: { team: 'pay' }, distance: 0.25 },
    ]);
  });

  it.each([
    ['no documents', { supportingDocuments: null, metadata: null, distances: null }, []],
    ['empty lists', { supportingDocuments: [[]], metadata: [[]], distances: [[]] }, []],
    ['flat lists', { supportingDocuments: ['A'], metadata: [{ k: 1 }], distances: [2] }, [{ text: 'A', metadata: { k: 1 }, distance: 2 }]],
    ['missing metadata and distances', { supportingDocuments: [['A']], metadata: null, distances: null }, [{ text: 'A', metadata: {}, distance: null }]],
    [
      'odd entries',
      { supportingDocuments: [[{ page: 1 }, null]], metadata: [['not an object', [1]]], distances: [['0.3', Number.NaN]] },
      [
        { text: '{"page":1}', metadata: {}, distance: null },
        { text: '', metadata: {}, distance: null },
      ],
    ],
  ] as const)('copes with %s', (_name, extras, expected) => {
    expect(answerSources(answer(extras as unknown as Pick<Answer, 'metadata' | 'distances' | 'supportingDocuments'>))).toEqual(expected);
  });
});

describe('resolvePageUrl', () => {
  it.each([
    ['/kiss', 'http://localhost:4200/', 'http://localhost:4200/kiss'],
    ['/kiss', 'http://localhost:4200/app/deep/page', 'http://localhost:4200/kiss'],
    ['kiss', 'https://example.com/app/', 'https://example.com/app/kiss'],
    ['//stack.example.com/kiss', 'https://example.com/', 'https://stack.example.com/kiss'],
    ['http://127.0.0.1:8080', 'https://example.com/', 'http://127.0.0.1:8080'],
    ['wss://stack.example.com', undefined, 'wss://stack.example.com'],
  ])('resolves %s against %s', (url, base, expected) => {
    expect(resolvePageUrl(url, base)).toBe(expected);
  });

  it.each([
    ['no page', undefined],
    ['a page that is not a web page', 'about:blank'],
  ])('refuses a relative URL with %s, saying to pass an absolute one', (_name, base) => {
    const call = () => resolvePageUrl('/kiss', base);
    expect(call).toThrow(SessionMisuseError);
    expect(call).toThrow(/relative.*absolute URL/);
  });
});

describe('httpClientFetch', () => {
  /** A stand-in HttpClient: records each request and answers with `reply`. */
  function client(reply: (request: { method: string; url: string; options: Record<string, unknown> }) => Observable<unknown>) {
    const requests: { method: string; url: string; options: Record<string, unknown> }[] = [];
    const http = {
      request: (method: string, url: string, options: Record<string, unknown>) => {
        const request = { method, url, options };
        requests.push(request);
        return reply(request);
      },
    } as unknown as HttpClient;
    return { http, requests };
  }
  const init = (extra: Partial<RequestInit> = {}): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer t' }, body: '{"query":"q"}', ...extra });
  const ok = (body: string, url = 'http://127.0.0.1:1/queries') => of(new HttpResponse({ body, status: 200, statusText: 'OK', url, headers: new HttpHeaders({ 'x-a': '1' }) }));

  it('sends the method, body and headers as text, and resolves with what the client reads', async () => {
    const { http, requests } = client(() => ok('{"result":"hi"}'));
    const response = await httpClientFetch(http)('http://127.0.0.1:1/queries', init());
    expect(requests).toHaveLength(1);
    const [{ method, url, options }] = requests as [(typeof requests)[0]];
    expect([method, url, options['body'], options['observe'], options['responseType'], options['redirect']]).toEqual(['POST', 'http://127.0.0.1:1/queries', '{"query":"q"}', 'response', 'text', undefined]);
    expect((options['headers'] as HttpHeaders).get('Authorization')).toBe('Bearer t');
    expect([response.status, response.ok, response.type, response.headers.get('X-A')]).toEqual([200, true, 'basic', '1']);
    expect(await response.text()).toBe('{"result":"hi"}');
    expect(await response.json()).toEqual({ result: 'hi' });
  });

  it('asks for manual redirects only when told (HttpClient’s fetch backend)', async () => {
    const { http, requests } = client(() => ok(''));
    await httpClientFetch(http, { manualRedirects: true })('http://127.0.0.1:1/auth', init());
    expect(requests[0]!.options['redirect']).toBe('manual');
  });

  it('resolves an HTTP error with its status, text and headers (the client makes the typed error)', async () => {
    const error = new HttpErrorResponse({ error: '{"detail":"Invalid token"}', status: 401, statusText: 'Unauthorized', url: 'http://127.0.0.1:1/queries', headers: new HttpHeaders({ 'retry-after': '2' }) });
    const { http } = client(() => throwError(() => error));
    const response = await httpClientFetch(http)('http://127.0.0.1:1/queries', init());
    expect([response.status, response.ok, response.headers.get('Retry-After'), await response.text()]).toEqual([401, false, '2', '{"detail":"Invalid token"}']);
  });

  it('resolves a redirect the fetch backend did not follow as an opaque redirect', async () => {
    const error = new HttpErrorResponse({ error: '', status: 0, url: 'http://127.0.0.1:1/auth', responseType: 'opaqueredirect' } as ConstructorParameters<typeof HttpErrorResponse>[0]);
    const { http } = client(() => throwError(() => error));
    const response = await httpClientFetch(http, { manualRedirects: true })('http://127.0.0.1:1/auth', init());
    expect([response.status, response.type]).toEqual([0, 'opaqueredirect']);
  });

  it('rejects with a TypeError, as fetch does, when no answer came (status 0)', async () => {
    const { http } = client(() => throwError(() => new HttpErrorResponse({ error: new ProgressEvent('error'), status: 0, url: 'http://127.0.0.1:1/auth' })));
    const error = await failure(httpClientFetch(http)('http://127.0.0.1:1/auth', init()));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/no answer/);
  });

  it('says which URL answered, and the client refuses an answer from another origin (the XHR backend followed a redirect)', async () => {
    const { http } = client(() => ok('{"access_token":"x","client_id":"c","client_secret":"s"}', 'http://127.0.0.2:9/auth'));
    const response = await httpClientFetch(http)('http://127.0.0.1:1/auth', init());
    expect(response.url).toBe('http://127.0.0.2:9/auth');
    // The client's own redirect rules (lib/rest/http-call.ts) refuse it, whatever fetch it was given.
    const error = await failure(firstValueFrom(createClient({ url: 'http://127.0.0.1:1', fetch: httpClientFetch(http) }).authorize({ scope: 'temporary' })));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as Error).message).toMatch(/another origin, http:\/\/127\.0\.0\.2:9.*withFetch\(\)/);
  });

  it('unsubscribes the HttpClient request when the call is aborted, and never starts an aborted one', async () => {
    let unsubscribed = false;
    const { http, requests } = client(() => new Observable(() => () => (unsubscribed = true)));
    const controller = new AbortController();
    const pending = httpClientFetch(http)('http://127.0.0.1:1/queries', init({ signal: controller.signal }));
    controller.abort();
    expect(await failure(pending)).toMatchObject({ name: 'AbortError' });
    expect(unsubscribed).toBe(true);
    expect(await failure(httpClientFetch(http)('http://127.0.0.1:1/queries', init({ signal: controller.signal })))).toMatchObject({ name: 'AbortError' });
    expect(requests).toHaveLength(1);
  });

  it('takes headers in any of fetch’s forms', async () => {
    const { http, requests } = client(() => ok(''));
    const fetch = httpClientFetch(http);
    await fetch('http://127.0.0.1:1/a', { method: 'POST', headers: [['x-one', '1']] });
    await fetch('http://127.0.0.1:1/a', { method: 'POST', headers: { forEach: (f: (v: string, k: string) => void) => f('2', 'x-two') } as unknown as Headers });
    expect(requests.map((r) => (r.options['headers'] as HttpHeaders).keys())).toEqual([['x-one'], ['x-two']]);
  });

});
