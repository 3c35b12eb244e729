// The test server's hooks: failNext, dropSocketAfter, failNextStores, expireAllTokens, latency,
// the request log with waitForRequest, the clients snapshot, closeAllSockets, socket counters and stop.
import { startTestServer, type TestServer } from '../../lib/testing';
import { authorize, base64, bearer, bootstrapped, handshakeStatus, post, sleep, TestSocket } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('failNext', () => {
  it('fails the next n requests with 503 JSON and Retry-After, then answers normally', async () => {
    server.failNext(2, undefined, { retryAfterSeconds: 7 });
    for (let i = 0; i < 2; i++) {
      const res = await post(server.url, '/auth', { scope: 'temporary' });
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ detail: 'Service Unavailable' });
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('retry-after')).toBe('7');
    }
    expect((await post(server.url, '/auth', { scope: 'temporary' })).status).toBe(200);
  });

  it('answers 500 in plain text, any route, without Retry-After unless asked; calls queue up', async () => {
    server.failNext(1, 500);
    server.failNext(1, 502);
    const crashed = await post(server.url, '/nope', {});
    expect(crashed.status).toBe(500);
    expect(crashed.text).toBe('Internal Server Error');
    expect(crashed.headers.get('retry-after')).toBeNull();
    const gateway = await post(server.url, '/queries', { query: 'q' });
    expect(gateway.status).toBe(502);
    expect(gateway.json).toEqual({ detail: 'Bad Gateway' });
    expect((await post(server.url, '/queries', { query: 'q' })).status).toBe(401);
  });

  it('fails a /ws handshake too, but never socket frames', async () => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    server.failNext(1, 503, { retryAfterSeconds: 1 });
    expect(await socket.call({ event: 'on_query', data: { query: 'frame' } })).toMatchObject({ event: 'on_query' });
    expect(await handshakeStatus(server.wsUrl, bearer(auth.access_token))).toEqual({ status: 503, body: '{"detail":"Service Unavailable"}' });
    expect((await handshakeStatus(server.wsUrl, bearer(auth.access_token))).status).toBe(101);
    socket.close();
  });
});

describe('dropSocketAfter', () => {
  it('drops the next socket at its n-th frame without a close frame, unanswered and unhandled', async () => {
    const auth = await authorize(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    server.dropSocketAfter(2);
    socket.send({ event: 'bogus', data: {} });
    socket.send({ event: 'on_init', data: { query: 'dropped' } });
    socket.send({ event: 'bogus', data: {} });
    expect((await socket.closed).code).toBe(1006);
    expect(socket.messages.length).toBeLessThanOrEqual(1); // only the first frame may have been answered
    expect((await post(server.url, '/queries', { query: 'q' }, bearer(auth.access_token))).status).toBe(500);
    // once per call: the next socket is not dropped
    const next = await TestSocket.open(server.wsUrl, auth.access_token);
    await next.call({ event: 'bogus', data: {} });
    expect(await next.call({ event: 'on_init', data: { query: 'kept' } })).toMatchObject({ event: 'on_init' });
    next.close();
  });

  it('counts frames per socket from its opening', async () => {
    const auth = await bootstrapped(server);
    const old = await TestSocket.open(server.wsUrl, auth.access_token);
    await old.call({ event: 'on_query', data: { query: '1' } });
    server.dropSocketAfter(1);
    expect(await old.call({ event: 'on_query', data: { query: '2' } })).toMatchObject({ event: 'on_query' });
    const fresh = await TestSocket.open(server.wsUrl, auth.access_token);
    fresh.send({ event: 'on_query', data: { query: 'first' } });
    expect((await fresh.closed).code).toBe(1006);
    expect(fresh.messages).toEqual([]);
    old.close();
  });
});

describe('failNextStores', () => {
  it('answers 200 "Files stored" with extras null and stores nothing, over REST and socket', async () => {
    const auth = await bootstrapped(server);
    const headers = bearer(auth.access_token);
    const file = { name: 'a.txt', content: base64('a') };
    server.failNextStores(2);
    expect((await post(server.url, '/documents', { files: [file], metadata: {} }, headers)).json).toEqual({
      stack_id: auth.client_id,
      result: 'Files stored',
      extras: null,
    });
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call({ event: 'on_store', data: { files: [file], metadata: {} } })).toEqual({
      event: 'on_store',
      result: { stack_id: auth.client_id, result: 'Files stored', extras: null },
    });
    expect(await socket.call({ event: 'on_query', data: { query: 'q' } })).toMatchObject({ result: { result: 'Answer to "q"' } });
    expect(await socket.call({ event: 'on_store', data: { files: [file], metadata: {} } })).toMatchObject({
      result: { extras: { documents: [`${auth.client_id}-doc-1`] } },
    });
    socket.close();
  });

  it('is not used up by a store before bootstrap (which fails on its own)', async () => {
    const auth = await authorize(server);
    const headers = bearer(auth.access_token);
    const file = { name: 'a.txt', content: base64('a') };
    server.failNextStores(1);
    expect((await post(server.url, '/documents', { files: [file] }, headers)).json).toMatchObject({ extras: null });
    await post(server.url, '/sessions?action=init', { query: 'hi' }, headers);
    expect((await post(server.url, '/documents', { files: [file] }, headers)).json).toMatchObject({ extras: null });
    expect((await post(server.url, '/documents', { files: [file] }, headers)).json).toMatchObject({ extras: { documents: [`${auth.client_id}-doc-1`] } });
  });
});

describe('clients', () => {
  it('lists every client with its scope, state and document count, and no secret', async () => {
    const other = await startTestServer();
    try {
      expect(other.clients).toEqual([]);
      const temporary = await bootstrapped(other);
      const persistent = await authorize(other, 'persistent');
      await post(other.url, '/documents', { files: [{ name: 'a.txt', content: base64('a') }, { name: 'b.txt', content: base64('b') }] }, bearer(temporary.access_token));
      expect(other.clients).toEqual([
        { id: temporary.client_id, scope: 'temporary', active: true, bootstrapped: true, documents: 2 },
        { id: persistent.client_id, scope: 'persistent', active: true, bootstrapped: false, documents: 0 },
      ]);
      expect(JSON.stringify(other.clients)).not.toContain(temporary.client_secret);
    } finally {
      await other.stop();
    }
  });

  it('is a snapshot: it does not change under a test that holds it, a later read sees the close', async () => {
    const other = await startTestServer();
    try {
      const auth = await bootstrapped(other);
      const before = other.clients;
      await post(other.url, '/sessions?action=close', { query: 'bye' }, bearer(auth.access_token));
      expect(before).toEqual([expect.objectContaining({ active: true, bootstrapped: true })]);
      expect(other.clients).toEqual([expect.objectContaining({ active: false, bootstrapped: false })]);
      expect(other.clients.filter((c) => c.scope === 'temporary' && c.active)).toHaveLength(0);
      expect(Object.isFrozen(before[0])).toBe(true);
    } finally {
      await other.stop();
    }
  });
});

describe('expireAllTokens', () => {
  it('invalidates every issued token (REST 401, handshake 403) while credentials still work', async () => {
    const other = await startTestServer();
    try {
      const auth = await bootstrapped(other, 'persistent');
      const socket = await TestSocket.open(other.wsUrl, auth.access_token);
      other.expireAllTokens();
      const res = await post(other.url, '/queries', { query: 'q' }, bearer(auth.access_token));
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: 'Invalid token' });
      expect((await handshakeStatus(other.wsUrl, bearer(auth.access_token))).status).toBe(403);
      expect(await socket.call({ event: 'on_query', data: { query: 'open' } })).toMatchObject({ event: 'on_query' });
      const refreshed = await post(other.url, '/auth', { client_id: auth.client_id, client_secret: auth.client_secret });
      const token = (refreshed.json as { access_token: string }).access_token;
      expect((await post(other.url, '/queries', { query: 'q' }, bearer(token))).status).toBe(200);
      socket.close();
    } finally {
      await other.stop();
    }
  });
});

describe('request log and waitForRequest', () => {
  it('logs HTTP requests, the handshake and every frame in order, with statuses', async () => {
    const auth = await bootstrapped(server);
    server.clearRequests();
    expect(server.requests).toEqual([]);
    await post(server.url, '/queries?x=1', { query: 'q' }, bearer(auth.access_token));
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    await socket.call({ event: 'on_query', data: { query: 'q' } });
    await socket.call({ event: 'bogus', data: {} });
    await socket.call('not json');
    socket.send({ event: 'on_query', data: 5 });
    await socket.closed;
    await server.waitForRequest((r) => r.transport === 'ws' && r.event === 'on_query' && r.status === undefined && r !== server.requests[2]);
    expect(server.requests.map(({ transport, method, path, event, status }) => ({ transport, method, path, event, status }))).toEqual([
      { transport: 'http', method: 'POST', path: '/queries', event: undefined, status: 200 },
      { transport: 'http', method: 'GET', path: '/ws', event: undefined, status: 101 },
      { transport: 'ws', method: 'FRAME', path: '/ws', event: 'on_query', status: 200 },
      { transport: 'ws', method: 'FRAME', path: '/ws', event: 'bogus', status: 400 },
      { transport: 'ws', method: 'FRAME', path: '/ws', event: undefined, status: 400 },
      { transport: 'ws', method: 'FRAME', path: '/ws', event: 'on_query', status: undefined },
    ]);
    expect(server.requests.every((r) => typeof r.at === 'number')).toBe(true);
  });

  it('resolves for an already-logged match and for a future one, and rejects after its timeout', async () => {
    server.clearRequests();
    await post(server.url, '/auth', { scope: 'temporary' });
    await expect(server.waitForRequest((r) => r.path === '/auth')).resolves.toMatchObject({ method: 'POST', status: 200 });
    const future = server.waitForRequest((r) => r.path === '/documents' && r.status === 401);
    await post(server.url, '/documents', { files: [] });
    await expect(future).resolves.toMatchObject({ path: '/documents', status: 401 });
    await expect(server.waitForRequest((r) => r.path === '/never', 50)).rejects.toThrow(/no matching request within 50 ms/);
  });
});

describe('latency', () => {
  it('holds answers: the server has seen the request before it answers it', async () => {
    const auth = await bootstrapped(server);
    server.setLatency(60_000);
    let answered = false;
    try {
      const pending = post(server.url, '/queries', { query: 'slow' }, bearer(auth.access_token)).then(() => (answered = true));
      const seen = await server.waitForRequest((r) => r.path === '/queries' && r.status === undefined);
      await sleep(50);
      expect(answered).toBe(false);
      expect(seen.status).toBeUndefined();
      void pending.catch(() => undefined);
    } finally {
      server.setLatency(0);
    }
  });

  it('handles socket frames one at a time: a fast frame waits behind a slow one', async () => {
    const other = await startTestServer();
    try {
      const auth = await bootstrapped(other);
      const socket = await TestSocket.open(other.wsUrl, auth.access_token);
      other.setLatency(300);
      socket.send({ event: 'on_query', data: { query: 'slow' } });
      await other.waitForRequest((r) => r.method === 'FRAME');
      other.setLatency(0);
      socket.send({ event: 'on_query', data: { query: 'fast' } });
      expect(await socket.next()).toMatchObject({ result: { result: 'Answer to "slow"' } });
      expect(await socket.next()).toMatchObject({ result: { result: 'Answer to "fast"' } });
      socket.close();
    } finally {
      await other.stop();
    }
  });

  it('delays each socket frame and keeps pipelined answers in order (latencyMs option)', async () => {
    const slow = await startTestServer({ latencyMs: 20 });
    try {
      const auth = await bootstrapped(slow);
      const socket = await TestSocket.open(slow.wsUrl, auth.access_token);
      for (let i = 0; i < 5; i++) socket.send({ event: 'on_query', data: { query: `q${i}` } });
      for (let i = 0; i < 5; i++) expect(await socket.next()).toMatchObject({ result: { result: `Answer to "q${i}"` } });
      socket.close();
    } finally {
      await slow.stop();
    }
  });
});

describe('socket counters and closeAllSockets', () => {
  it('counts open and accepted sockets and closes them all with 1000 or a given code', async () => {
    const other = await startTestServer();
    try {
      const auth = await bootstrapped(other, 'persistent');
      expect([other.openSockets, other.socketsAccepted]).toEqual([0, 0]);
      const a = await TestSocket.open(other.wsUrl, auth.access_token);
      const b = await TestSocket.open(other.wsUrl, auth.access_token);
      expect([other.openSockets, other.socketsAccepted]).toEqual([2, 2]);
      other.closeAllSockets();
      expect(await a.closed).toEqual({ code: 1000, reason: '' });
      expect(await b.closed).toEqual({ code: 1000, reason: '' });
      await other.waitForOpenSockets(0);
      expect(other.openSockets).toBe(0);
      await expect(other.waitForOpenSockets(5, 50)).rejects.toThrow(/0 open, not 5/);
      const c = await TestSocket.open(other.wsUrl, auth.access_token);
      other.closeAllSockets(4001);
      expect((await c.closed).code).toBe(4001);
      expect(other.socketsAccepted).toBe(3);
    } finally {
      await other.stop();
    }
  });

  it('drops a frame waiting on latency when the socket is closed, answering nothing', async () => {
    const other = await startTestServer();
    try {
      const auth = await bootstrapped(other);
      const socket = await TestSocket.open(other.wsUrl, auth.access_token);
      other.setLatency(60_000);
      socket.send({ event: 'on_query', data: { query: 'held' } });
      await other.waitForRequest((r) => r.method === 'FRAME');
      other.closeAllSockets();
      expect(await socket.closed).toEqual({ code: 1000, reason: '' });
      expect(socket.messages).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});

describe('stop', () => {
  it('never hangs: ends held requests, open sockets and waiters, and is idempotent', async () => {
    const other = await startTestServer({ latencyMs: 60_000 });
    const fast = await startTestServer();
    await fast.stop();
    const held = post(other.url, '/auth', { scope: 'temporary' });
    await other.waitForRequest((r) => r.path === '/auth');
    const waiter = other.waitForRequest(() => false, 60_000);
    const sockets = other.waitForOpenSockets(9, 60_000);
    const first = other.stop();
    expect(other.stop()).toBe(first);
    await first;
    await expect(held).rejects.toThrow();
    await expect(waiter).rejects.toThrow(/stopped/);
    await expect(sockets).rejects.toThrow(/stopped/);
    await expect(fetch(`${other.url}/auth`, { method: 'POST' })).rejects.toThrow();
  });

  it('closes open sockets', async () => {
    const other = await startTestServer();
    const auth = await authorize(other);
    const socket = await TestSocket.open(other.wsUrl, auth.access_token);
    await other.stop();
    expect((await socket.closed).code).toBe(1006);
  });
});
