// The composed session against the embedded test server, driven by its hooks.
import { firstValueFrom, from, lastValueFrom, map, type Observable, Subject, toArray } from 'rxjs';
import {
  answerQuestions,
  createSession,
  memoryCredentialStore,
  openSession,
  SessionMisuseError,
  type FetchLike,
  type Session,
  type SessionActivity,
  type SessionOptions,
  type SessionStatus,
} from '../../lib';
import { startTestServer, type TestServer } from '../../lib/testing';
import { eventually } from '../support/eventually';
import { failure } from '../support/failure';
import { transportOption } from '../support/transports';

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.stop());

const sessions: Session[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.close()));

function session(options: Partial<SessionOptions> = {}, on: TestServer = server): Session {
  const s = createSession({ url: on.url, retry: { baseDelay: 2 }, ...options });
  sessions.push(s);
  return s;
}
const authCalls = (on: TestServer = server) => on.requests.filter((r) => r.path === '/auth').length;

describe('a session', () => {
  it('goes idle → authorizing → authorized → bootstrapping → ready → busy → ready → destroying → destroyed', async () => {
    const s = session();
    const statuses: SessionStatus[] = [];
    s.state$.subscribe((state) => statuses.push(state.status));
    await firstValueFrom(s.open());
    await firstValueFrom(s.ask('hello?'));
    await firstValueFrom(s.destroy());
    expect(statuses).toEqual(['idle', 'authorizing', 'authorized', 'bootstrapping', 'ready', 'busy', 'ready', 'destroying', 'destroyed']);
  });

  it('refuses calls that make no sense in its state, at once and without a request', async () => {
    const s = session();
    server.clearRequests();
    const early = await failure(firstValueFrom(s.ask('too early')));
    expect(early).toBeInstanceOf(SessionMisuseError);
    expect((early as Error).message).toMatch(/call open\(\)/);
    expect(server.requests).toEqual([]);
    const opening = firstValueFrom(s.open());
    expect(await failure(firstValueFrom(s.open()))).toMatchObject({ kind: 'misuse', message: expect.stringMatching(/already opening/) });
    await opening;
    await firstValueFrom(s.destroy());
    server.clearRequests();
    for (const call of [() => s.ask('after'), () => s.store({ name: 'a.txt', data: 'a' }), () => s.destroy()]) {
      expect(await failure(firstValueFrom(call() as Observable<unknown>))).toMatchObject({ kind: 'misuse', message: expect.stringMatching(/destroyed/) });
    }
    expect(server.requests).toEqual([]);
  });

  it('rides out a burst of 503s with backoff, and shows every retry on events$', async () => {
    const s = session({ retry: { baseDelay: 1, maxAttempts: 6 } });
    await firstValueFrom(s.open());
    const events: SessionActivity[] = [];
    s.events$.subscribe((e) => events.push(e));
    server.failNext(3, 503);
    const answer = await firstValueFrom(s.ask('through the storm'));
    expect(answer.text).toBe('Answer to "through the storm"');
    expect(events.filter((e) => e.type === 'retry-scheduled').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3]);
  });

  it('fails at once on a 422 or a 500, without retrying', async () => {
    let calls = 0;
    const answers422: FetchLike = async (input, init) => {
      if (String(input).endsWith('/queries')) {
        calls++;
        return new Response(JSON.stringify({ detail: [{ type: 'missing', loc: ['body', 'query'], msg: 'Field required', input: {} }] }), { status: 422 });
      }
      return fetch(input, init);
    };
    const s = session({ fetch: answers422, retry: { baseDelay: 1, maxAttempts: 5 } });
    await firstValueFrom(s.open());
    expect(await failure(firstValueFrom(s.ask('q')))).toMatchObject({ kind: 'validation' });
    expect(calls).toBe(1);
    const plain = session({ retry: { baseDelay: 1, maxAttempts: 5 } });
    await firstValueFrom(plain.open());
    server.clearRequests();
    server.failNext(1, 500);
    expect(await failure(firstValueFrom(plain.ask('q')))).toMatchObject({ kind: 'server', status: 500 });
    expect(server.requests.filter((r) => r.path === '/queries')).toHaveLength(1);
  });

  it.each(['rest', 'socket'] as const)('answers 100 concurrent asks that meet an expired token with exactly one refresh (%s)', async (transport) => {
    const s = session({ transport: transportOption(transport), socket: { maxInFlight: 100 } });
    await firstValueFrom(s.open());
    server.expireAllTokens();
    // Over REST each ask meets 401 "Invalid token"; over the socket the open socket ignores expiry,
    // so drop it: the reconnect's handshake meets 403.
    if (transport === 'socket') {
      server.closeAllSockets(1006);
      await eventually(() => server.openSockets === 0, 'the socket to drop');
    }
    server.clearRequests();
    const events: SessionActivity[] = [];
    s.events$.subscribe((e) => events.push(e));
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => firstValueFrom(s.ask(`q${i}`))));
    expect(answers.map((a) => a.text)).toEqual(Array.from({ length: 100 }, (_, i) => `Answer to "q${i}"`));
    expect(authCalls()).toBe(1);
    expect(events.filter((e) => e.type === 'token-refreshed')).toEqual([
      expect.objectContaining({ reason: transport === 'rest' ? 'expired' : 'handshake' }),
    ]);
  });

  it('closes the session on the server when the composed session is unsubscribed', async () => {
    const opened = await new Promise<{ session: Session; stop: () => void }>((resolve, reject) => {
      const subscription = openSession({ url: server.url }).subscribe({
        next: (s) => resolve({ session: s, stop: () => subscription.unsubscribe() }),
        error: reject,
      });
    });
    const auth = await firstValueFrom(opened.session.ask('before the end'));
    expect(auth.stackId).toBe(opened.session.clientId);
    const states: SessionStatus[] = [];
    opened.session.state$.subscribe((st) => states.push(st.status));
    server.clearRequests();
    opened.stop();
    await server.waitForRequest((r) => r.path === '/sessions' && r.status === 200);
    await eventually(() => opened.session.state.status === 'destroyed', 'the session to be destroyed');
    expect(states).toEqual(['ready', 'destroying', 'destroyed']);
    // a temporary client cannot be used afterwards
    const res = await fetch(`${server.url}/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: opened.session.clientId, client_secret: 'any' }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: 'Invalid or inactive session' });
  });

  it('ends with a clear error, not a loop, when its temporary client has ended', async () => {
    let bearer = '';
    const capturing: FetchLike = (input, init) => {
      const header = (init.headers as Record<string, string>).Authorization;
      if (header) bearer = header;
      return fetch(input, init);
    };
    const s = session({ fetch: capturing });
    await firstValueFrom(s.open());
    // someone else closes this client's session on the server, and its token expires
    await fetch(`${server.url}/sessions?action=close`, { method: 'POST', headers: { 'content-type': 'application/json', Authorization: bearer }, body: '{"query":"bye"}' });
    server.expireAllTokens();
    server.clearRequests();
    const error = await failure(firstValueFrom(s.ask('anyone?')));
    expect(error).toMatchObject({ kind: 'unauthorized', reason: 'inactive-session' });
    expect((error as Error).message).toMatch(/client has ended/);
    expect(s.state.status).toBe('failed');
    expect(authCalls()).toBe(1);
    expect(await failure(firstValueFrom(s.ask('again?')))).toMatchObject({ kind: 'misuse', message: expect.stringMatching(/failed/) });
  });

  it('keeps a persistent client between runs through its credential store', async () => {
    const credentials = memoryCredentialStore();
    const first = session({ scope: 'persistent', credentials });
    await firstValueFrom(first.open());
    const id = first.clientId;
    await firstValueFrom(first.destroy());
    const second = session({ scope: 'persistent', credentials });
    await firstValueFrom(second.open());
    expect(second.clientId).toBe(id);
    expect((await firstValueFrom(second.ask('same client?'))).stackId).toBe(id);
  });

  it('turns questions into answers: queued in order, or cancelling the previous', async () => {
    const s = session();
    await firstValueFrom(s.open());
    const queued = await lastValueFrom(from(['a', 'b', 'c']).pipe(answerQuestions(s), map((a) => a.text), toArray()));
    expect(queued).toEqual(['Answer to "a"', 'Answer to "b"', 'Answer to "c"']);
    const parallel = await lastValueFrom(from(['d', 'e', 'f', 'g']).pipe(answerQuestions(s, { mode: 'parallel', concurrency: 2 }), map((a) => a.question), toArray()));
    expect([...parallel].sort()).toEqual(['d', 'e', 'f', 'g']);
    server.setLatency(20);
    try {
      const typed = new Subject<string>();
      const latest = lastValueFrom(typed.pipe(answerQuestions(s, { mode: 'latest' }), map((a) => a.question), toArray()));
      typed.next('k');
      typed.next('ki');
      typed.next('kiss');
      typed.complete();
      expect(await latest).toEqual(['kiss']);
    } finally {
      server.setLatency(0);
    }
  });

  it('keeps its streams hot when subscribed late: no replay of what came before, completion at once after the end, every activity logged', async () => {
    const logged: string[] = [];
    const s = session({ logger: { debug: (line: string) => logged.push(line) }, logLevel: 'debug' });
    expect(s.state$).toBe(s.state$);
    expect(s.events$).toBe(s.events$);
    expect(s.answers$).toBe(s.answers$);
    await firstValueFrom(s.open());
    await firstValueFrom(s.ask('before anyone watched'));
    // Nobody watched events$ yet: the logger saw it all the same.
    expect(logged).toContain('kiss-ai-stack-rx: request-answered');
    const events: SessionActivity[] = [];
    const answers: string[] = [];
    s.events$.subscribe((e) => events.push(e));
    s.answers$.subscribe((a) => answers.push(a.question));
    const states = lastValueFrom(s.state$.pipe(map((state) => state.status), toArray()));
    expect(events).toEqual([]);
    expect(answers).toEqual([]);
    await firstValueFrom(s.ask('watched'));
    expect(answers).toEqual(['watched']);
    expect(events.map((e) => e.type)).toContain('request-answered');
    await firstValueFrom(s.destroy());
    expect(await states).toEqual(['ready', 'busy', 'ready', 'destroying', 'destroyed']);
    // Late subscribers to an ended session: the final state, and completion at once.
    expect((await lastValueFrom(s.state$.pipe(toArray()))).map((state) => state.status)).toEqual(['destroyed']);
    expect(await lastValueFrom(s.events$.pipe(toArray()))).toEqual([]);
    expect(await lastValueFrom(s.answers$.pipe(toArray()))).toEqual([]);
  });

  it('publishes every answer on the hot answers$', async () => {
    const s = session();
    const seen: string[] = [];
    s.answers$.subscribe((a) => seen.push(a.question));
    await firstValueFrom(s.open());
    await Promise.all(['x', 'y'].map((q) => firstValueFrom(s.ask(q))));
    expect(seen.sort()).toEqual(['x', 'y']);
  });
});
