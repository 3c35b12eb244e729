// PROTOCOL.md, "Authorization: POST /auth", through the client and on the wire.
import { firstValueFrom } from 'rxjs';
import { Authorization, SessionMisuseError, ServerError, UnauthorizedError } from '../../lib';
import { errorFromHttpResponse } from '../../lib/errors/from-response';
import { failure, rawPost, startTarget, type Target } from './target';

let target: Target;
beforeAll(async () => (target = await startTarget()));
afterAll(() => target.stop());

describe('authorize', () => {
  it.each(['temporary', 'persistent'] as const)('creates a new %s client from a scope', async (scope) => {
    const auth = await firstValueFrom(target.client().authorize({ scope }));
    expect(auth).toBeInstanceOf(Authorization);
    expect(auth.clientId).toEqual(expect.any(String));
    expect(auth.clientId).not.toBe('');
    expect(auth.clientSecret).toEqual(expect.any(String));
    expect(auth.scope).toBe(scope);
    expect(auth.expiresAt).toBeGreaterThan(Date.now());
    expect(auth.accessToken.split('.')).toHaveLength(3);
  });

  it.each(['temporary', 'persistent'] as const)('mints a fresh token for an active %s client from its credentials', async (scope) => {
    const client = target.client();
    const first = await firstValueFrom(client.authorize({ scope }));
    const again = await firstValueFrom(client.authorize({ clientId: first.clientId, clientSecret: first.clientSecret! }));
    expect(again.clientId).toBe(first.clientId);
    expect(again.scope).toBe(scope);
    const reply = await firstValueFrom(client.bootstrap(again));
    expect(reply.stackId).toBe(first.clientId);
  });

  it('rejects a wrong secret with an UnauthorizedError (invalid-credentials)', async () => {
    const client = target.client();
    const first = await firstValueFrom(client.authorize({ scope: 'persistent' }));
    const error = await failure(firstValueFrom(client.authorize({ clientId: first.clientId, clientSecret: 'wrong' })));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ status: 401, reason: 'invalid-credentials', detail: 'Invalid client_id or client_secret' });
  });

  it('rejects an unknown client with an UnauthorizedError (inactive-session)', async () => {
    const error = await failure(firstValueFrom(target.client().authorize({ clientId: 'nobody', clientSecret: 'nothing' })));
    expect(error).toMatchObject({ kind: 'unauthorized', reason: 'inactive-session', detail: 'Invalid or inactive session' });
  });

  it('refuses a request with neither scope nor credentials before sending it', async () => {
    const error = await failure(firstValueFrom(target.client().authorize({} as { scope: 'temporary' })));
    expect(error).toBeInstanceOf(SessionMisuseError);
    expect((error as Error).message).toMatch(/scope.*clientId, clientSecret/);
  });

  it('refuses an unknown scope before sending it', async () => {
    const error = await failure(firstValueFrom(target.client().authorize({ scope: 'forever' as 'temporary' })));
    expect(error).toBeInstanceOf(SessionMisuseError);
    expect((error as Error).message).toContain("use 'temporary' or 'persistent'");
  });
});

describe('authorize on the wire', () => {
  it('answers 401 with the value-error detail when neither scope nor credentials are given', async () => {
    const res = await rawPost(target, '/auth', {});
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Value error, Either `scope` or both `client_id` and `client_secret` must be provided.' });
    expect(errorFromHttpResponse(res.status, res.text, { step: 'authorize' })).toMatchObject({ reason: 'missing-credentials' });
  });

  it('answers an unknown scope with a plain-text 500, which the client explains', async () => {
    const res = await rawPost(target, '/auth', { scope: 'forever' });
    expect(res.status).toBe(500);
    expect(res.text).toBe('Internal Server Error');
    const error = errorFromHttpResponse(res.status, res.text, { step: 'authorize' });
    expect(error).toBeInstanceOf(ServerError);
    expect(error.message).toMatch(/unknown scope/);
  });

  it('ignores unknown request fields and returns the three response fields', async () => {
    const res = await rawPost(target, '/auth', { scope: 'temporary', colour: 'blue' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ access_token: expect.any(String), client_id: expect.any(String), client_secret: expect.any(String) });
  });

  it('issues HS256 JWTs with sub, scope and exp claims', async () => {
    const res = await rawPost(target, '/auth', { scope: 'persistent' });
    const { access_token, client_id } = res.json as { access_token: string; client_id: string };
    const [header, claims] = access_token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'HS256' });
    expect(claims).toMatchObject({ sub: client_id, scope: 'persistent', exp: expect.any(Number) });
    expect(claims.exp * 1000).toBeGreaterThan(Date.now());
  });
});
