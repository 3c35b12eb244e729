// PROTOCOL.md, "Authenticated REST calls": bootstrap, ask, store, destroy and their quirks.
import { firstValueFrom, type Observable } from 'rxjs';
import { Authorization, NotStoredError, ServerError, UnauthorizedError } from '../../lib';
import { failure, hooks, startTarget, withHooks, type Target } from './target';

let target: Target;
beforeAll(async () => (target = await startTarget()));
afterAll(() => target.stop());

async function bootstrapped(scope: 'temporary' | 'persistent' = 'temporary') {
  const client = target.client();
  const auth = await firstValueFrom(client.authorize({ scope }));
  await firstValueFrom(client.bootstrap(auth));
  return { client, auth };
}

describe('the session lifecycle over REST', () => {
  it('bootstraps with a greeting whose stack id is the client id', async () => {
    const client = target.client();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    const reply = await firstValueFrom(client.bootstrap(auth));
    expect(reply).toEqual({ stackId: auth.clientId, message: 'Greetings!' });
  });

  it('allows bootstrapping twice', async () => {
    const { client, auth } = await bootstrapped();
    await expect(firstValueFrom(client.bootstrap(auth))).resolves.toMatchObject({ message: 'Greetings!' });
  });

  it('answers a question, with null document extras when no documents are stored', async () => {
    const { client, auth } = await bootstrapped();
    const answer = await firstValueFrom(client.ask(auth, 'What is KISS?'));
    expect(answer).toMatchObject({ stackId: auth.clientId, question: 'What is KISS?', metadata: null, distances: null, supportingDocuments: null });
    expect(answer.text).toEqual(expect.any(String));
    if (target.deterministic) expect(answer.text).toContain('What is KISS?');
  });

  it('stores documents and answers from them, sending only base names', async () => {
    const { client, auth } = await bootstrapped();
    const stored = await firstValueFrom(
      client.store(auth, [{ name: 'some/dir/kiss.txt', data: 'KISS means keep it simple.' }], { metadata: { topic: 'kiss' } }),
    );
    expect(stored.fileNames).toEqual(['kiss.txt']);
    expect(stored.ids.length).toBeGreaterThan(0);
    expect(Object.values(stored.documentIds).flat()).toEqual(stored.ids);
    const answer = await firstValueFrom(client.ask(auth, 'What does KISS mean?'));
    expect(answer.supportingDocuments).not.toBeNull();
    if (target.deterministic) {
      expect(answer.text).toContain('kiss.txt');
      expect(answer.text).not.toContain('some/dir');
      expect(JSON.stringify(answer.supportingDocuments)).toContain('KISS means keep it simple.');
    }
  });

  it('destroys with a farewell', async () => {
    const { client, auth } = await bootstrapped();
    await expect(firstValueFrom(client.destroy(auth))).resolves.toEqual({ stackId: auth.clientId, message: 'Good bye!' });
  });

  it.each(['ask', 'destroy'] as const)('explains the 500 from %s before bootstrap', async (step) => {
    const client = target.client();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    const calls: Record<typeof step, () => Observable<unknown>> = {
      ask: () => client.ask(auth, 'too early'),
      destroy: () => client.destroy(auth),
    };
    const error = await failure(firstValueFrom(calls[step]()));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, context: { step } });
    expect((error as Error).message).toMatch(/before bootstrap/);
  });

  it('carries on after a 500: an ask before bootstrap, then 20 authorizes, all succeed', async () => {
    // The server closes its connection after an unhandled 500 without saying so; the next request
    // meets the closed pooled connection and must be resent on a fresh one, not fail.
    const client = target.client();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    expect(await failure(firstValueFrom(client.ask(auth, 'too early')))).toMatchObject({ kind: 'server', status: 500 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await firstValueFrom(client.authorize({ scope: 'temporary' }))).clientId);
    expect(new Set(ids).size).toBe(20);
  });

  it('turns a store before bootstrap (the failed-store answer, not a 500) into a NotStoredError', async () => {
    const client = target.client();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    const error = await failure(firstValueFrom(client.store(auth, { name: 'a.txt', data: 'a' })));
    expect(error).toBeInstanceOf(NotStoredError);
    expect(error).toMatchObject({ kind: 'not-stored', fileNames: ['a.txt'], context: { step: 'store' } });
  });

  it('ends a temporary client at destroy: calls and refreshes get 401 inactive-session', async () => {
    const { client, auth } = await bootstrapped('temporary');
    await firstValueFrom(client.destroy(auth));
    const ask = await failure(firstValueFrom(client.ask(auth, 'still there?')));
    expect(ask).toBeInstanceOf(UnauthorizedError);
    expect(ask).toMatchObject({ reason: 'inactive-session' });
    expect((ask as Error).message).toMatch(/authorize a new client/);
    const refresh = await failure(firstValueFrom(client.authorize({ clientId: auth.clientId, clientSecret: auth.clientSecret! })));
    expect(refresh).toMatchObject({ kind: 'unauthorized', reason: 'inactive-session' });
  });

  it('keeps a persistent client active after destroy: ask fails with 500, bootstrap and refresh work', async () => {
    const { client, auth } = await bootstrapped('persistent');
    await firstValueFrom(client.destroy(auth));
    expect(await failure(firstValueFrom(client.ask(auth, 'after close')))).toMatchObject({ kind: 'server', status: 500 });
    const fresh = await firstValueFrom(client.authorize({ clientId: auth.clientId, clientSecret: auth.clientSecret! }));
    await firstValueFrom(client.bootstrap(fresh));
    await expect(firstValueFrom(client.ask(fresh, 'back again'))).resolves.toMatchObject({ stackId: auth.clientId });
  });

  it('rejects a token the server did not issue with 401 invalid-token', async () => {
    const forged = Authorization.fromToken('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.Zm9yZ2Vk');
    const error = await failure(firstValueFrom(target.client().bootstrap(forged)));
    expect(error).toMatchObject({ kind: 'unauthorized', reason: 'invalid-token', detail: 'Invalid token' });
    expect((error as Error).message).not.toContain(forged.accessToken);
  });

  withHooks('failNextStores', 'turns a failed store (200 "Files stored", extras null) into a NotStoredError', async () => {
    const { client, auth } = await bootstrapped();
    hooks(target).failNextStores(1);
    const error = await failure(firstValueFrom(client.store(auth, { name: 'a.txt', data: 'a' })));
    expect(error).toBeInstanceOf(NotStoredError);
    expect(error).toMatchObject({ kind: 'not-stored', fileNames: ['a.txt'] });
    expect((error as Error).message).toMatch(/nothing was stored/);
  });

  withHooks('expireAllTokens', 'reports an expired token as 401 invalid-token', async () => {
    const { client, auth } = await bootstrapped();
    hooks(target).expireAllTokens();
    expect(await failure(firstValueFrom(client.ask(auth, 'expired?')))).toMatchObject({ reason: 'invalid-token' });
  });
});
