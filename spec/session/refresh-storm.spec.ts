// Token lifetimes and clocks that used to turn the proactive refresh into an endless POST /auth
// loop (909 calls in 2 s): each must give at most one /auth per refresh cycle. The sessions run
// against servers whose clocks and token lifetimes are set for the case; the window only gives a
// storm time to show itself (it would show hundreds of calls), it bounds no speed.
import { firstValueFrom } from 'rxjs';
import { createSession, type FetchLike, type Session } from '../../lib';
import { startTestServer, type TestServer, type TestServerOptions } from '../../lib/testing';

const WINDOW_MS = 2000;
const servers: TestServer[] = [];
const sessions: Session[] = [];
afterAll(async () => {
  sessions.forEach((s) => s.close());
  await Promise.all(servers.map((s) => s.stop()));
});

/** A fetch that hides the Date header, as some proxies do: the client cannot tell the server's clock. */
const withoutDate: FetchLike = async (url, init) => {
  const response = await fetch(url, init);
  const headers = new Headers(response.headers);
  headers.delete('date');
  return new Response(await response.text(), { status: response.status, headers });
};

async function authCallsOver(serverOptions: TestServerOptions, sessionOptions: { fetch?: FetchLike } = {}): Promise<number> {
  const server = await startTestServer(serverOptions);
  servers.push(server);
  const session = createSession({ url: server.url, ...sessionOptions });
  sessions.push(session);
  await firstValueFrom(session.open());
  expect((await firstValueFrom(session.ask('still working?'))).text).toBe('Answer to "still working?"');
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  expect((await firstValueFrom(session.ask('and now?'))).text).toBe('Answer to "and now?"');
  return server.requests.filter((r) => r.path === '/auth').length;
}

describe('a proactive refresh that cannot storm /auth', () => {
  it('a 30-day token (over setTimeout range): one /auth', async () => {
    expect(await authCallsOver({ tokenLifetimeSeconds: 30 * 86_400 })).toBe(1);
  });

  it('a token whose exp is already past by the client clock (server clock an hour behind, no Date header): one /auth', async () => {
    expect(await authCallsOver({ clockOffsetSeconds: -3600 }, { fetch: withoutDate })).toBe(1);
  });

  it('a client clock 2 minutes fast with 60-second tokens: read by the Date header, one /auth', async () => {
    expect(await authCallsOver({ clockOffsetSeconds: -120, tokenLifetimeSeconds: 60 })).toBe(1);
  });

  it('a client clock 2 minutes fast with 2-second tokens: one refresh per token, not a loop', async () => {
    // Each token lives 1-2 s by the server's clock: the window sees one or two proactive refreshes.
    const calls = await authCallsOver({ clockOffsetSeconds: -120, tokenLifetimeSeconds: 2 });
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(4);
  });
});
