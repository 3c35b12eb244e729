// Tokens that live 2 seconds: a session asks 50 questions over 10 seconds on each transport, and
// every one is answered, with /auth called only for the proactive refreshes.
import { firstValueFrom, interval, lastValueFrom, mergeMap, take, toArray } from 'rxjs';
import { createSession, type SessionActivity } from '../../lib';
import { startTestServer } from '../../lib/testing';
import { transportOption } from '../support/transports';

jest.setTimeout(40_000);

async function soak(transport: 'rest' | 'socket') {
  const server = await startTestServer({ tokenLifetimeSeconds: 2 });
  const session = createSession({ url: server.url, transport: transportOption(transport) });
  const events: SessionActivity[] = [];
  session.events$.subscribe((e) => events.push(e));
  try {
    await firstValueFrom(session.open());
    const answers = await lastValueFrom(
      interval(200).pipe(
        take(50),
        mergeMap((n) => session.ask(`question ${n}`)),
        toArray(),
      ),
    );
    const statuses = server.requests.map((r) => r.status);
    return {
      answered: answers.map((a) => a.text).sort(),
      authCalls: server.requests.filter((r) => r.path === '/auth').length,
      refreshes: events.filter((e) => e.type === 'token-refreshed').map((e) => (e as { reason: string }).reason),
      refused: statuses.filter((s) => s === 401 || s === 403).length,
    };
  } finally {
    session.close();
    await server.stop();
  }
}

describe('a session with 2-second tokens', () => {
  it('answers 50 questions over 10 seconds on each transport, refreshing only ahead of expiry', async () => {
    const results = await Promise.all([soak('rest'), soak('socket')]);
    for (const result of results) {
      expect(result.answered).toEqual(Array.from({ length: 50 }, (_, n) => `Answer to "question ${n}"`).sort());
      // never a 401 or 403: every refresh happened before the token expired...
      expect(result.refused).toBe(0);
      expect(result.refreshes.every((r) => r === 'proactive')).toBe(true);
      // ...and /auth was called once to start and once per refresh, no more (one more when a
      // proactive refresh was still in flight as the last answer came: its request is logged,
      // its token-refreshed event not yet emitted)
      expect(result.authCalls).toBeGreaterThanOrEqual(1 + result.refreshes.length);
      expect(result.authCalls).toBeLessThanOrEqual(2 + result.refreshes.length);
      // a 2 s token (1-2 s left when minted) refreshed at 3/4 of its life: at most ~14 in 10 s
      expect(result.refreshes.length).toBeGreaterThanOrEqual(4);
      expect(result.refreshes.length).toBeLessThanOrEqual(15);
    }
  });
});
