// lazySession on its own (no Angular): calls made before the session is open wait for the open,
// or start it, against the embedded test server.
import { firstValueFrom, lastValueFrom, merge, toArray } from 'rxjs';
import { CancelledError, createSession, HttpError, type Session, SessionMisuseError, type SessionOptions } from '../../lib';
import { lazySession } from '../../lib/angular';
import { startTestServer, type TestServer } from '../../lib/testing';
import { eventually } from '../support/eventually';
import { failure } from '../support/failure';

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.stop());
beforeEach(() => server.clearRequests());

const sessions: Session[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.close()));
function lazy(options: Partial<SessionOptions> = {}): Session {
  const session = lazySession(createSession({ url: server.url, retry: { baseDelay: 2, maxAttempts: 1 }, ...options }));
  sessions.push(session);
  return session;
}
const posts = () => server.requests.map((r) => r.path);

describe('lazySession', () => {
  it('opens once for many calls made before it is open, and answers each', async () => {
    const session = lazy();
    const answers = await lastValueFrom(merge(session.ask('one?'), session.ask('two?'), session.store({ name: 'a.txt', data: 'A' })).pipe(toArray()));
    expect(answers).toHaveLength(3);
    expect(posts().filter((p) => p === '/auth')).toHaveLength(1);
    expect(posts().slice(0, 2)).toEqual(['/auth', '/sessions']);
    expect(session.state.status).toBe('ready');
  });

  it('fails a waiting call with the open’s own error, not a misuse error', async () => {
    // A server of its own: no other test's background cleanup can take the forced failure.
    const refusing = await startTestServer();
    try {
      const session = lazy({ url: refusing.url });
      refusing.failNext(1, 400);
      const error = await failure(firstValueFrom(session.ask('after a refused /auth?')));
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ status: 400 });
      expect(session.state.status).toBe('failed');
      // Later calls meet the failed session as without lazy.
      expect(await failure(firstValueFrom(session.ask('again?')))).toBeInstanceOf(SessionMisuseError);
    } finally {
      await refusing.stop();
    }
  });

  it('keeps the open running when the call that started it is given up', async () => {
    const session = lazy();
    session.ask('given up').subscribe().unsubscribe();
    expect(session.state.status).toBe('authorizing');
    expect((await firstValueFrom(session.ask('next?'))).text).toBe('Answer to "next?"');
    expect(posts().filter((p) => p === '/auth')).toHaveLength(1);
    expect(posts()).not.toContain('/queries?given up');
  });

  it('fails waiting calls with a CancelledError when closed while opening, and closes what it created', async () => {
    const session = lazy();
    const before = server.clients.length;
    const asking = firstValueFrom(session.ask('never'));
    await server.waitForRequest((r) => r.path === '/auth' && r.status === 200);
    session.close();
    expect(await failure(asking)).toBeInstanceOf(CancelledError);
    expect(session.state.status).toBe('closed');
    await eventually(() => server.clients.slice(before).every((c) => !c.active), 'the created client closed');
  });

  it('joins an open in flight with open(), and emits an open session again', async () => {
    const session = lazy();
    const [first, second] = await Promise.all([firstValueFrom(session.open()), firstValueFrom(session.open())]);
    expect(first).toBe(session);
    expect(second).toBe(session);
    expect(await firstValueFrom(session.open())).toBe(session);
    expect(posts().filter((p) => p === '/auth')).toHaveLength(1);
  });

  it('makes destroy() wait for an open in flight, and refuses it on an idle session as before', async () => {
    const idle = lazy();
    expect(await failure(firstValueFrom(idle.destroy()))).toBeInstanceOf(SessionMisuseError);
    expect(posts()).toEqual([]);
    const session = lazy();
    void firstValueFrom(session.open());
    expect((await firstValueFrom(session.destroy())).message).toBe('Good bye!');
    expect(session.state.status).toBe('destroyed');
    expect(await failure(firstValueFrom(session.open()))).toBeInstanceOf(SessionMisuseError);
  });

  it('passes open()’s options to the open it starts', async () => {
    const session = lazy();
    const controller = new AbortController();
    controller.abort();
    expect(await failure(firstValueFrom(session.open({ signal: controller.signal })))).toMatchObject({ kind: 'cancelled' });
  });
});
