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

  it('answers 404 {"detail":"Not Found"} for an unknown route, a plain GET /ws included', async () => {
    for (const [method, path] of [['POST', '/nope'], ['GET', '/'], ['GET', '/ws']] as const) {
      const res = await request(server.url, path, { method });
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ detail: 'Not Found' });
    }
  });

  it('answers 405 for OPTIONS (no preflight support) and GET on a known route', async () => {
    for (const method of ['OPTIONS', 'GET']) {
      const res = await request(server.url, '/queries', { method, headers: { Origin: 'http://page.test' } });
      expect(res.status).toBe(405);
      expect(res.json).toEqual({ detail: 'Method Not Allowed' });
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
    const missing = await post(server.url, '/nope', {});
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
    const auth = await bootstrapped(server);
    const headers = bearer(auth.access_token);
    const payload = JSON.parse(Buffer.from(auth.access_token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number; iat: number };
    expect(payload.exp - payload.iat).toBe(1);
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
