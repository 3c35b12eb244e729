// The test server's HTTP surroundings: unknown routes and methods, CORS off and on, a path prefix,
// and real token expiry.
import { startTestServer, type TestServer } from '../../lib/testing';
import { authorize, bearer, bootstrapped, handshakeStatus, post, request, sleep, TestSocket } from './helpers';

describe('routes and methods (no CORS)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('listens on loopback and names its URLs', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.port}/ws`);
  });

  it('answers 404 {"detail":"Not Found"} for an unknown route, a plain GET /ws included, once the bearer passed', async () => {
    const { access_token: token } = await authorize(server);
    for (const [method, path] of [['POST', '/nope'], ['GET', '/'], ['GET', '/ws']] as const) {
      const res = await request(server.url, path, { method, headers: bearer(token) });
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ detail: 'Not Found' });
      const anonymous = await request(server.url, path, { method });
      expect(anonymous.status).toBe(401);
      expect(anonymous.json).toEqual({ detail: 'Authorization header missing' });
    }
  });

  it('answers 405 for OPTIONS (no preflight support, no bearer needed) and for GET on a known route', async () => {
    const { access_token: token } = await authorize(server);
    for (const [method, headers] of [['OPTIONS', {}], ['GET', bearer(token)]] as const) {
      const res = await request(server.url, '/queries', { method, headers: { Origin: 'http://page.test', ...headers } });
      expect(res.status).toBe(405);
      expect(res.json).toEqual({ detail: 'Method Not Allowed' });
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('adds no CORS headers to answers', async () => {
    const res = await post(server.url, '/auth', { scope: 'temporary' }, { Origin: 'http://page.test' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('cors: true', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ cors: true });
  });
  afterAll(() => server.stop());

  it('answers a preflight with 204 and the allow headers, echoing the origin', async () => {
    const res = await request(server.url, '/queries', {
      method: 'OPTIONS',
      headers: { Origin: 'http://page.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('access-control-allow-origin')).toBe('http://page.test');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
  });

  it('adds Access-Control-Allow-Origin to every answer: success, 401, 404 and the plain 500', async () => {
    const ok = await post(server.url, '/auth', { scope: 'temporary' }, { Origin: 'http://page.test' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://page.test');
    const unauthorized = await post(server.url, '/queries', { query: 'q' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe('*');
    const { access_token: token } = await authorize(server);
    const missing = await post(server.url, '/nope', {}, bearer(token));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    const crashed = await post(server.url, '/auth', { scope: 'bogus' });
    expect(crashed.status).toBe(500);
    expect(crashed.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('pathPrefix', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ pathPrefix: '/kiss/' });
  });
  afterAll(() => server.stop());

  it('serves every route under the prefix', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/kiss`);
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.port}/kiss/ws`);
    const auth = await bootstrapped(server);
    const res = await post(server.url, '/queries', { query: 'prefixed' }, bearer(auth.access_token));
    expect(res.json).toMatchObject({ result: 'Answer to "prefixed"' });
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call({ event: 'on_query', data: { query: 'ws' } })).toMatchObject({ event: 'on_query', result: { result: 'Answer to "ws"' } });
    socket.close();
  });

  it('answers 404 outside the prefix and refuses a socket there', async () => {
    const root = `http://127.0.0.1:${server.port}`;
    const res = await post(root, '/auth', { scope: 'temporary' });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: 'Not Found' });
    const auth = await authorize(server);
    expect((await handshakeStatus(`ws://127.0.0.1:${server.port}/ws`, bearer(auth.access_token))).status).toBe(403);
  });

  it('redirects a trailing slash to the prefixed path', async () => {
    const auth = await authorize(server);
    const res = await fetch(`${server.url}/queries/`, { method: 'POST', headers: bearer(auth.access_token), redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${server.url}/queries`);
  });

  it('logs paths without the prefix and without the query string', async () => {
    server.clearRequests();
    const auth = await authorize(server);
    await post(server.url, '/sessions?action=init', { query: 'q' }, bearer(auth.access_token));
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/auth', 200],
      ['POST', '/sessions', 200],
    ]);
  });
});

describe('real token expiry (tokenLifetimeSeconds: 1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ tokenLifetimeSeconds: 1 });
  });
  afterAll(() => server.stop());

  it('accepts a fresh token, refuses it once expired, and an open socket outlives it', async () => {
    // start right after a second boundary so the 1 s token is surely valid for the first checks
    await sleep(1000 - (Date.now() % 1000) + 20);
    const issued = await post(server.url, '/auth', { scope: 'temporary' });
    const auth = issued.json as { access_token: string; client_id: string; client_secret: string };
    const headers = bearer(auth.access_token);
    expect((await post(server.url, '/sessions?action=init', { query: 'hi' }, headers)).status).toBe(200);
    const payload = JSON.parse(Buffer.from(auth.access_token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number };
    expect(payload.exp - Date.parse(issued.headers.get('date') ?? '') / 1000).toBe(1);
    expect((await post(server.url, '/queries', { query: 'fresh' }, headers)).status).toBe(200);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    await sleep(payload.exp * 1000 - Date.now() + 50);
    const expired = await post(server.url, '/queries', { query: 'stale' }, headers);
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ detail: 'Invalid token' });
    expect((await handshakeStatus(server.wsUrl, headers)).status).toBe(403);
    expect(await socket.call({ event: 'on_query', data: { query: 'still open' } })).toMatchObject({ result: { result: 'Answer to "still open"' } });
    socket.close();
    const refreshed = await post(server.url, '/auth', { client_id: auth.client_id, client_secret: auth.client_secret });
    expect(refreshed.status).toBe(200);
  });
});
