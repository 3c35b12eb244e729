// PROTOCOL.md quirks the client never provokes itself, checked on the wire, then fed through the
// client's one error factory to show each becomes a clear typed outcome.
import { Agent } from 'node:http';
import { firstValueFrom } from 'rxjs';
import { HttpError, UnauthorizedError, ValidationError } from '../../lib';
import { errorFromHttpResponse } from '../../lib/errors/from-response';
import { nodeRequest } from '../testing/helpers';
import { rawPost, startTarget, type Target } from './target';

let target: Target;
let token: string;
beforeAll(async () => {
  target = await startTarget();
  const client = target.client();
  const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
  await firstValueFrom(client.bootstrap(auth));
  token = auth.accessToken;
});
afterAll(() => target.stop());

const bearer = () => ({ Authorization: `Bearer ${token}` });

describe('bearer header', () => {
  it('answers 401 "Authorization header missing" without it', async () => {
    const res = await rawPost(target, '/queries', { query: 'q' });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Authorization header missing' });
    expect(errorFromHttpResponse(res.status, res.text, { step: 'ask' })).toMatchObject({ reason: 'missing-header' });
  });

  it('treats the word Bearer as case-sensitive', async () => {
    const res = await rawPost(target, '/queries', { query: 'q' }, { Authorization: `bearer ${token}` });
    expect(res.status).toBe(401);
    expect(errorFromHttpResponse(res.status, res.text, {})).toBeInstanceOf(UnauthorizedError);
  });

  it.each([
    ['malformed JSON', '/queries', '{"query": '],
    ['a missing field', '/documents', { metadata: {} }],
    ['an unknown action', '/sessions?action=foo', { query: 'q' }],
    ['an unknown path', '/nope', {}],
    ['a trailing slash', '/queries/', { query: 'q' }],
    ['/auth/', '/auth/', { scope: 'temporary' }],
  ])('is checked before anything else: 401 without it for %s', async (_name, path, body) => {
    const res = await rawPost(target, path, body);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Authorization header missing' });
  });

  it('answers 401 "Invalid token" for garbage', async () => {
    const res = await rawPost(target, '/queries', { query: 'q' }, { Authorization: 'Bearer not-a-token' });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Invalid token' });
  });
});

describe('sessions action', () => {
  it('answers 422 when action is missing', async () => {
    const res = await rawPost(target, '/sessions', { query: 'q' }, bearer());
    expect(res.status).toBe(422);
    const error = errorFromHttpResponse(res.status, res.text, { step: 'bootstrap' });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.location).toMatch(/action/);
  });

  it('answers 400 "Invalid action: foo" for an unknown action', async () => {
    const res = await rawPost(target, '/sessions?action=foo', { query: 'q' }, bearer());
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Invalid action: foo' });
    const error = errorFromHttpResponse(res.status, res.text, { step: 'bootstrap' });
    expect(error.constructor).toBe(HttpError);
    expect(error.message).toContain('Invalid action: foo');
  });
});

describe('validation', () => {
  it('answers malformed JSON with a 422 list', async () => {
    const res = await rawPost(target, '/queries', '{"query": ', bearer());
    expect(res.status).toBe(422);
    expect(Array.isArray((res.json as { detail: unknown }).detail)).toBe(true);
    expect(errorFromHttpResponse(res.status, res.text, { step: 'ask' })).toBeInstanceOf(ValidationError);
  });

  it('answers a store without files with a 422 naming body.files, in either shape', async () => {
    const res = await rawPost(target, '/documents', { metadata: {} }, bearer());
    expect(res.status).toBe(422);
    const error = errorFromHttpResponse(res.status, res.text, { step: 'store' }) as ValidationError;
    expect(error.issues.map((i) => i.location)).toContain('body.files');
    expect(error.issues[0]?.message).toMatch(/field required/i);
  });

  it('stores invalid base64 leniently rather than rejecting it', async () => {
    const res = await rawPost(target, '/documents', { files: [{ name: 'odd.txt', content: '!!not base64!!' }], metadata: {} }, bearer());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ result: 'Files stored' });
  });
});

describe('trailing slashes', () => {
  it.each(['/queries', '/auth', '/documents'])('redirects %s/ with 307 to the absolute URL without the slash', async (path) => {
    const res = await fetch(`${target.url}${path}/?x=1`, { method: 'POST', headers: bearer(), body: '{}', redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${target.url}${path}?x=1`);
    expect(await res.text()).toBe('');
  });

  it('answers 404 for an unknown path, with or without a slash', async () => {
    for (const path of ['/nope', '/nope/']) expect((await rawPost(target, path, {}, bearer())).status).toBe(404);
  });
});

describe('the connection after a 500', () => {
  it('is closed without a Connection: close header: a keep-alive client reusing it gets a reset', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const crashed = await nodeRequest(`${target.url}/auth`, { body: JSON.stringify({ scope: 'forever' }), agent });
      expect(crashed).toMatchObject({ ok: true, status: 500, text: 'Internal Server Error' });
      expect(crashed.ok && crashed.headers.connection).not.toBe('close');
      const next = await nodeRequest(`${target.url}/auth`, { body: JSON.stringify({ scope: 'temporary' }), agent });
      expect(next).toMatchObject({ ok: false, code: 'ECONNRESET', reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });

  it('stays open after a 4xx', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await nodeRequest(`${target.url}/queries`, { body: '{}', agent })).toMatchObject({ ok: true, status: 401 });
      expect(await nodeRequest(`${target.url}/auth`, { body: JSON.stringify({ scope: 'temporary' }), agent })).toMatchObject({ ok: true, status: 200, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });
});

describe('transport details', () => {
  it('has no CORS preflight by default (OPTIONS → 405)', async () => {
    const res = await fetch(`${target.url}/queries`, { method: 'OPTIONS' });
    expect(res.status).toBe(405);
  });

  it('answers every success with the stack envelope', async () => {
    const res = await rawPost(target, '/queries', { query: 'envelope?' }, bearer());
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ stack_id: expect.any(String), result: expect.any(String), extras: expect.anything() });
  });
});
