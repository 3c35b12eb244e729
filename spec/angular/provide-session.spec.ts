// The Angular entry under TestBed (Angular 21, zoneless, jsdom) against the embedded test server on
// a loopback port: REST through HttpClient and its interceptors, or through the client's own
// node:http; the lazy open; a relative URL; the session closed with its injector; the signals.
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { type HttpInterceptorFn, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { firstValueFrom } from 'rxjs';
import { SessionMisuseError, UnauthorizedError, type SessionStatus } from '../../lib';
import { injectKissSession, injectKissSignals, type KissSessionOptions, provideKissSession } from '../../lib/angular';
import { startTestServer, type TestServer } from '../../lib/testing';
import { eventually } from '../support/eventually';
import { failure } from '../support/failure';

let server: TestServer;
// CORS on: HttpClient's default backend in jsdom is XHR, and jsdom's page (http://localhost/) is
// another origin than the test server's.
beforeAll(async () => (server = await startTestServer({ cors: true })));
afterAll(() => server.stop());
beforeEach(() => server.clearRequests());

/** What the interceptor saw: method, path after the server's URL, and whether a bearer went along. */
let seen: string[];
const recording: HttpInterceptorFn = (request, next) => {
  const bearer = request.headers.get('authorization')?.startsWith('Bearer ') ? ' (bearer)' : '';
  seen.push(`${request.method} ${request.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, '')}${bearer}`);
  return next(request);
};
beforeEach(() => (seen = []));

function configure(options: Partial<KissSessionOptions> = {}, providers: unknown[] = [provideHttpClient(withInterceptors([recording]))]) {
  TestBed.configureTestingModule({
    providers: [...(providers as never[]), provideKissSession({ url: server.url, retry: { baseDelay: 2 }, ...options })],
  });
}

const served = () => server.requests.filter((r) => r.method !== 'OPTIONS').map((r) => `${r.method} ${r.path}`);
/** The clients the server created during this test. */
let clientsBefore: number;
beforeEach(() => (clientsBefore = server.clients.length));
const created = () => server.clients.slice(clientsBefore);

describe('provideKissSession through HttpClient', () => {
  it('sends every REST call through the application’s interceptors', async () => {
    configure();
    const session = TestBed.inject(provideKissSessionToken());
    await firstValueFrom(session.open());
    const answer = await firstValueFrom(session.ask('through the interceptors?'));
    await firstValueFrom(session.destroy());
    expect(answer.text).toBe('Answer to "through the interceptors?"');
    expect(seen).toEqual(['POST /auth', 'POST /sessions?action=init (bearer)', 'POST /queries (bearer)', 'POST /sessions?action=close (bearer)']);
    expect(served()).toEqual(['POST /auth', 'POST /sessions', 'POST /queries', 'POST /sessions']);
  });

  it('lets HttpTestingController answer the calls (no server involved)', async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([recording])), provideHttpClientTesting(), provideKissSession({ url: 'http://localhost:8080', retry: { maxAttempts: 1 } })],
    });
    const session = injectIn(() => injectKissSession());
    const opening = firstValueFrom(session.open());
    const controller = TestBed.inject(HttpTestingController);
    const criteria = { method: 'POST', url: 'http://localhost:8080/auth' };
    await new Promise((resolve) => setTimeout(resolve)); // let the client send /auth (after asking its credential store)
    expect(seen).toEqual(['POST http://localhost:8080/auth']);
    const auth = controller.expectOne(criteria);
    expect(JSON.parse(auth.request.body as string)).toEqual({ scope: 'temporary' });
    auth.flush(JSON.stringify({ detail: 'Invalid or inactive session' }), { status: 401, statusText: 'Unauthorized' });
    const error = await failure(opening);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'inactive-session' });
    controller.verify();
  });
});

describe('provideKissSession without HttpClient', () => {
  it('uses the client’s own HTTP stack (node:http here) with httpClient: false: no interceptor sees a call', async () => {
    configure({ httpClient: false });
    const session = injectIn(() => injectKissSession());
    await firstValueFrom(session.open());
    expect((await firstValueFrom(session.ask('around HttpClient?'))).text).toBe('Answer to "around HttpClient?"');
    await firstValueFrom(session.destroy());
    expect(seen).toEqual([]);
    expect(served()).toEqual(['POST /auth', 'POST /sessions', 'POST /queries', 'POST /sessions']);
    // No preflight either: node:http is not a browser.
    expect(server.requests.filter((r) => r.method === 'OPTIONS')).toEqual([]);
  });

  it('uses a fetch option the user passed rather than HttpClient', async () => {
    const calls: string[] = [];
    const nodeHttpFetch = jest.fn<Promise<Response>, [string, RequestInit]>();
    configure({ fetch: (input, init) => (calls.push(input.replace(server.url, '')), nodeHttpFetch(input, init)) });
    nodeHttpFetch.mockResolvedValue(jsonResponse(401, { detail: 'Invalid or inactive session' }));
    const session = injectIn(() => injectKissSession());
    expect(await failure(firstValueFrom(session.open()))).toBeInstanceOf(UnauthorizedError);
    expect(calls).toEqual(['/auth']);
    expect(seen).toEqual([]);
  });
});

describe('a lazy session (lazy: true)', () => {
  it('opens on the first ask: no open() needed, one /auth', async () => {
    configure({ lazy: true });
    const session = injectIn(() => injectKissSession());
    expect(session.state.status).toBe('idle');
    const answer = await firstValueFrom(session.ask('before any open?'));
    expect(answer.text).toBe('Answer to "before any open?"');
    expect(session.state.status).toBe('ready');
    expect(served()).toEqual(['POST /auth', 'POST /sessions', 'POST /queries']);
  });

  it('makes an ask sent while open() is in flight wait for it instead of refusing it', async () => {
    configure({ lazy: true });
    const session = injectIn(() => injectKissSession());
    const opening = firstValueFrom(session.open());
    expect(session.state.status).toBe('authorizing');
    const [opened, answer] = await Promise.all([opening, firstValueFrom(session.ask('while opening?'))]);
    expect(opened).toBe(session);
    expect(answer.text).toBe('Answer to "while opening?"');
    expect(served().filter((r) => r === 'POST /auth')).toHaveLength(1);
  });

  it('is refused as before without lazy: asking before open() is a SessionMisuseError and sends nothing', async () => {
    configure();
    const session = injectIn(() => injectKissSession());
    expect(await failure(firstValueFrom(session.ask('too early')))).toBeInstanceOf(SessionMisuseError);
    expect(served()).toEqual([]);
  });
});

describe('a relative url', () => {
  let base: HTMLBaseElement;
  afterEach(() => base.remove());

  it('is resolved against the page’s base URI (a dev-server proxy at /kiss)', async () => {
    const proxied = await startTestServer({ cors: true, pathPrefix: '/kiss' });
    try {
      // The page as the browser sees it: served from the server's origin (jsdom's own URL is fixed).
      base = document.createElement('base');
      base.href = `http://127.0.0.1:${proxied.port}/app/`;
      document.head.append(base);
      configure({ url: '/kiss', lazy: true });
      const session = injectIn(() => injectKissSession());
      expect(session.client.endpoint.httpBase).toBe(`http://127.0.0.1:${proxied.port}/kiss`);
      expect((await firstValueFrom(session.ask('relative?'))).text).toBe('Answer to "relative?"');
      expect(seen).toEqual(['POST /kiss/auth', 'POST /kiss/sessions?action=init (bearer)', 'POST /kiss/queries (bearer)']);
      expect(proxied.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/auth', '/sessions', '/queries']);
      TestBed.resetTestingModule();
      await eventually(() => proxied.clients.every((c) => !c.active), 'the temporary client closed');
    } finally {
      await proxied.stop();
    }
  });

  it('is relative to the page’s path without a leading slash', () => {
    base = document.createElement('base');
    base.href = 'http://localhost:4200/app/';
    document.head.append(base);
    configure({ url: 'kiss' });
    expect(injectIn(() => injectKissSession()).client.endpoint.httpBase).toBe('http://localhost:4200/app/kiss');
  });
});

describe('the session’s lifetime is its injector’s', () => {
  it('destroys an open session on the server when the injector is destroyed', async () => {
    configure();
    const session = injectIn(() => injectKissSession());
    await firstValueFrom(session.open());
    const clientId = session.clientId;
    expect(server.clients.find((c) => c.id === clientId)).toMatchObject({ active: true, bootstrapped: true });
    TestBed.resetTestingModule(); // destroys the test injector, as leaving the app or a route does
    await eventually(() => session.state.status === 'destroyed', 'the session destroyed');
    expect(served()).toEqual(['POST /auth', 'POST /sessions', 'POST /sessions']);
    expect(server.clients.find((c) => c.id === clientId)).toMatchObject({ active: false, bootstrapped: false });
    // The interceptors died with the injector: the destroy went to HttpClient's backend directly.
    expect(seen).toEqual(['POST /auth', 'POST /sessions?action=init (bearer)']);
  });

  it('destroys it through the interceptors when only the component that provided it goes', async () => {
    @Component({ selector: 'kiss-leaf', template: '', providers: [provideKissSession({ url: server.url })] })
    class Leaf {
      readonly session = injectKissSession();
    }
    TestBed.configureTestingModule({ providers: [provideHttpClient(withInterceptors([recording]))] });
    const fixture = TestBed.createComponent(Leaf);
    const { session } = fixture.componentInstance;
    await firstValueFrom(session.open());
    fixture.destroy();
    await eventually(() => session.state.status === 'destroyed', 'the session destroyed');
    expect(seen).toEqual(['POST /auth', 'POST /sessions?action=init (bearer)', 'POST /sessions?action=close (bearer)']);
  });

  it('stops an open in flight and closes the temporary client it created', async () => {
    configure({ lazy: true });
    const session = injectIn(() => injectKissSession());
    const asking = firstValueFrom(session.ask('never answered'));
    // The server has answered /auth; the client has not read the answer yet: the open is in flight.
    await server.waitForRequest((r) => r.path === '/auth' && r.status === 200);
    expect(session.state.status).toBe('authorizing');
    TestBed.resetTestingModule();
    expect(session.state.status).toBe('closed');
    expect(await failure(asking)).toMatchObject({ kind: 'cancelled' });
    await eventually(() => created().length === 1 && created().every((c) => !c.active), 'the created client closed on the server');
  });

  it('sends nothing for a session never used', () => {
    configure({ lazy: true });
    injectIn(() => injectKissSession());
    TestBed.resetTestingModule();
    expect(served()).toEqual([]);
  });

  it('lives and dies with a component that provides it', async () => {
    @Component({ selector: 'kiss-owner', template: `{{ kiss.status() }}`, providers: [provideKissSession({ url: server.url, lazy: true })] })
    class Owner {
      readonly session = injectKissSession();
      readonly kiss = injectKissSignals();
    }
    TestBed.configureTestingModule({});
    const fixture = TestBed.createComponent(Owner);
    const { session } = fixture.componentInstance;
    await firstValueFrom(session.ask('from a component'));
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toBe('ready');
    fixture.destroy();
    await eventually(() => session.state.status === 'destroyed', 'the component’s session destroyed');
    expect(created()).toEqual([expect.objectContaining({ scope: 'temporary', active: false })]);
  });
});

describe('the signals', () => {
  it('follow the state and collect answers, with typed sources for the template', async () => {
    @Component({
      selector: 'kiss-chat',
      template: `<p class="status">{{ kiss.status() }}</p>
        @for (answer of kiss.answers(); track $index) {<p class="answer">{{ answer.text }}</p>}
        @for (source of kiss.lastSources(); track $index) {<li>{{ source.metadata['team'] }}|{{ source.distance }}|{{ source.text }}</li>}`,
    })
    class Chat {
      readonly kiss = injectKissSignals();
    }
    configure({ lazy: true });
    const fixture = TestBed.createComponent(Chat);
    const { kiss } = fixture.componentInstance;
    const statuses: SessionStatus[] = [];
    const session = injectIn(() => injectKissSession());
    session.state$.subscribe((state) => statuses.push(state.status));
    await fixture.whenStable();
    expect(text(fixture, '.status')).toEqual(['idle']);
    expect(kiss.lastAnswer()).toBeUndefined();

    await firstValueFrom(session.store([{ name: 'leave.txt', data: 'Leave: 25 days.' }, { name: 'pay.txt', data: 'Pay: monthly.' }], { metadata: { team: 'hr' } }));
    expect(kiss.open()).toBe(true);
    const answer = await firstValueFrom(session.ask('What about leave?'));
    await fixture.whenStable();
    expect(kiss.lastAnswer()).toBe(answer);
    expect(kiss.status()).toBe('ready');
    expect(text(fixture, '.status')).toEqual(['ready']);
    expect(text(fixture, '.answer')).toEqual([answer.text]);
    expect(kiss.lastSources()).toEqual([
      { text: 'Leave: 25 days.', metadata: { team: 'hr' }, distance: 0.1 },
      { text: 'Pay: monthly.', metadata: { team: 'hr' }, distance: 0.2 },
    ]);
    expect(text(fixture, 'li')).toEqual(['hr|0.1|Leave: 25 days.', 'hr|0.2|Pay: monthly.']);

    const busy = firstValueFrom(session.ask('second?'));
    expect(kiss.busy()).toBe(true);
    await busy;
    expect(kiss.busy()).toBe(false);
    expect(kiss.answers().map((a) => a.question)).toEqual(['What about leave?', 'second?']);
    expect(statuses).toEqual(['idle', 'authorizing', 'authorized', 'bootstrapping', 'ready', 'busy', 'ready', 'busy', 'ready', 'busy', 'ready']);

    fixture.destroy();
    TestBed.resetTestingModule();
    await eventually(() => kiss.status() === 'destroyed', 'the status signal shows the end');
    expect(kiss.open()).toBe(false);
    expect(kiss.error()).toBeUndefined();
  });

  it('show why the session failed', async () => {
    // A server of its own: no other test's background cleanup can take the forced failure.
    const refusing = await startTestServer({ cors: true });
    try {
      configure({ url: refusing.url, lazy: true, retry: { maxAttempts: 1 } });
      const kiss = injectIn(() => injectKissSignals());
      const session = injectIn(() => injectKissSession());
      refusing.failNext(1, 400);
      const error = await failure(firstValueFrom(session.ask('fails?')));
      expect(error).toMatchObject({ kind: 'http', status: 400 });
      expect(kiss.status()).toBe('failed');
      expect(kiss.error()).toBe(error);
    } finally {
      await refusing.stop();
    }
  });
});

describe('injecting without a provider', () => {
  it('says what to add', () => {
    TestBed.configureTestingModule({});
    expect(() => injectIn(() => injectKissSession())).toThrow(/add provideKissSession\(\{ url: '\/kiss' \}\)/);
    expect(() => injectIn(() => injectKissSignals())).toThrow(SessionMisuseError);
  });
});

/** Runs `fn` in the test injector's injection context. */
function injectIn<T>(fn: () => T): T {
  return TestBed.runInInjectionContext(fn);
}

function provideKissSessionToken() {
  // KISS_SESSION, imported lazily to show that TestBed.inject works with the token too.
  return (require('../../lib/angular') as typeof import('../../lib/angular')).KISS_SESSION;
}

function text(fixture: { nativeElement: HTMLElement }, selector: string): string[] {
  return Array.from(fixture.nativeElement.querySelectorAll(selector), (e) => e.textContent ?? '');
}

function jsonResponse(status: number, body: unknown): Response {
  const text = JSON.stringify(body);
  return { status, type: 'basic', headers: { get: () => null }, text: () => Promise.resolve(text) } as unknown as Response;
}
