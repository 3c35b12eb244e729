// The test server's HTTP connections: after a 500 its code did not handle, the keep-alive
// connection is closed without a `Connection: close` header, so a client reusing it gets a reset;
// other answers keep it open. And the `Date` header and token times follow the server's clock.
import { Agent } from 'node:http';
import { startTestServer, type TestServer } from '../../lib/testing';
import { authorize, bearer, bootstrapped, handshakeStatus, nodeRequest, post, type NodeHttpOutcome } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** One pooled connection: every request after the first goes out on the same socket if it is still open. */
const keepAliveAgent = () => new Agent({ keepAlive: true, maxSockets: 1 });

/** Sends `first` and then, as soon as its answer is read, `second`, on the same agent. */
async function inSequence(agent: Agent | false, first: Parameters<typeof nodeRequest>, second: Parameters<typeof nodeRequest>) {
  const answer = await nodeRequest(first[0], { ...first[1], agent });
  const next = await nodeRequest(second[0], { ...second[1], agent });
  return { answer, next };
}

const json = (body: unknown) => JSON.stringify(body);
const askBody = json({ query: 'q' });

describe('after an unhandled-error 500', () => {
  let token: string;
  beforeAll(async () => {
    token = (await authorize(server, 'persistent')).access_token; // never bootstrapped: asks answer 500
  });

  const cases: Array<[string, () => Parameters<typeof nodeRequest>]> = [
    ['ask before bootstrap', () => [`${server.url}/queries`, { body: askBody, headers: bearer(token) }]],
    ['close before bootstrap', () => [`${server.url}/sessions?action=close`, { body: askBody, headers: bearer(token) }]],
    ['an unknown scope', () => [`${server.url}/auth`, { body: json({ scope: 'forever' }) }]],
    ['failNext(1, 500)', () => {
      server.failNext(1, 500);
      return [`${server.url}/auth`, { body: json({ scope: 'temporary' }) }];
    }],
  ];

  it.each(cases)('%s: a keep-alive client reusing the connection gets a reset before any response byte', async (_name, first) => {
    const agent = keepAliveAgent();
    try {
      const { answer, next } = await inSequence(agent, first(), [`${server.url}/auth`, { body: json({ scope: 'persistent' }) }]);
      expect(answer).toMatchObject({ ok: true, status: 500, text: 'Internal Server Error' });
      expect((answer as Extract<NodeHttpOutcome, { ok: true }>).headers.connection).not.toBe('close');
      expect(next).toMatchObject({ ok: false, code: 'ECONNRESET', reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });

  it('never hands the reset request to a route', async () => {
    const agent = keepAliveAgent();
    try {
      const auth = await authorize(server);
      server.clearRequests();
      const { next } = await inSequence(agent, [`${server.url}/queries`, { body: askBody, headers: bearer(auth.access_token) }], [
        `${server.url}/sessions?action=init`,
        { body: askBody, headers: bearer(auth.access_token) },
      ]);
      expect(next).toMatchObject({ ok: false, code: 'ECONNRESET' });
      expect(server.requests.map((r) => [r.path, r.status])).toEqual([['/queries', 500]]);
      expect(server.clients.find((c) => c.id === auth.client_id)?.bootstrapped).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it('lets a client that does not reuse connections carry on', async () => {
    for (const agent of [false, new Agent({ keepAlive: false })] as const) {
      const { answer, next } = await inSequence(agent, [`${server.url}/queries`, { body: askBody, headers: bearer(token) }], [
        `${server.url}/auth`,
        { body: json({ scope: 'persistent' }) },
      ]);
      expect(answer).toMatchObject({ ok: true, status: 500 });
      expect(next).toMatchObject({ ok: true, status: 200, reusedSocket: false });
    }
  });

  it('lets the same keep-alive client carry on over a new connection once the reset is behind it', async () => {
    const agent = keepAliveAgent();
    try {
      const { next } = await inSequence(agent, [`${server.url}/queries`, { body: askBody, headers: bearer(token) }], [`${server.url}/auth`, { body: '{}' }]);
      expect(next).toMatchObject({ ok: false, code: 'ECONNRESET' });
      expect(await nodeRequest(`${server.url}/auth`, { body: json({ scope: 'temporary' }), agent })).toMatchObject({ ok: true, status: 200, reusedSocket: false });
    } finally {
      agent.destroy();
    }
  });
});

describe('answers that keep the connection open', () => {
  it.each<[string, () => Promise<Parameters<typeof nodeRequest>>, number]>([
    ['a 200', async () => [`${server.url}/auth`, { body: json({ scope: 'temporary' }) }], 200],
    ['a failed store (200, extras null) before bootstrap', async () => {
      const auth = await authorize(server);
      return [`${server.url}/documents`, { body: json({ files: [] }), headers: bearer(auth.access_token) }];
    }, 200],
    ['a 401', async () => [`${server.url}/queries`, { body: askBody }], 401],
    ['a 422', async () => [`${server.url}/auth`, { body: '{' }], 422],
    ['a 400', async () => {
      const auth = await bootstrapped(server);
      return [`${server.url}/sessions?action=foo`, { body: askBody, headers: bearer(auth.access_token) }];
    }, 400],
    ['a 307', async () => {
      const auth = await authorize(server);
      return [`${server.url}/queries/`, { body: askBody, headers: bearer(auth.access_token) }];
    }, 307],
    ['a forced 503', async () => {
      server.failNext(1, 503);
      return [`${server.url}/auth`, { body: json({ scope: 'temporary' }) }];
    }, 503],
  ])('%s', async (_name, first, status) => {
    const agent = keepAliveAgent();
    try {
      const { answer, next } = await inSequence(agent, await first(), [`${server.url}/auth`, { body: json({ scope: 'temporary' }) }]);
      expect(answer).toMatchObject({ ok: true, status });
      expect(next).toMatchObject({ ok: true, status: 200, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });
});

describe('the server clock', () => {
  const seconds = (httpDate: string | null | undefined) => Date.parse(httpDate ?? '') / 1000;
  const exp = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp;

  it('sends one RFC 7231 Date header on every answer, the 500 included', async () => {
    for (const body of [{ scope: 'temporary' }, { scope: 'bogus' }]) {
      const res = await nodeRequest(`${server.url}/auth`, { body: json(body), agent: false });
      expect(res.ok).toBe(true);
      const { headers } = res as Extract<NodeHttpOutcome, { ok: true }>;
      expect(headers.date).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    }
  });

  it.each([3600, -3600])('runs clockOffsetSeconds (%i) off the real clock: Date header, exp and verification', async (offset) => {
    const shifted = await startTestServer({ clockOffsetSeconds: offset, tokenLifetimeSeconds: 60 });
    try {
      const res = await post(shifted.url, '/auth', { scope: 'persistent' });
      const auth = res.json as { access_token: string };
      const serverNow = seconds(res.headers.get('date'));
      // the Date header is the shifted clock (to the second), not the real one
      expect(Math.abs(serverNow - offset - Date.now() / 1000)).toBeLessThan(2);
      expect(exp(auth.access_token) - serverNow).toBeGreaterThanOrEqual(59);
      expect(exp(auth.access_token) - serverNow).toBeLessThanOrEqual(60);
      // by the real clock this token expired an hour ago (offset −3600) or is valid for an hour more;
      // the server checks it against its own clock, so it is valid either way
      expect((await post(shifted.url, '/sessions?action=init', { query: 'hi' }, bearer(auth.access_token))).status).toBe(200);
      expect((await handshakeStatus(shifted.wsUrl, bearer(auth.access_token))).status).toBe(101);
    } finally {
      await shifted.stop();
    }
  });

  it('dates its handshake answers with the same clock', async () => {
    const shifted = await startTestServer({ clockOffsetSeconds: -86_400 });
    try {
      const res = await nodeRequest(`${shifted.url}/ws`, {
        method: 'GET',
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      expect(res).toMatchObject({ ok: true, status: 403 });
      const date = seconds((res as Extract<NodeHttpOutcome, { ok: true }>).headers.date);
      expect(Math.abs(date + 86_400 - Date.now() / 1000)).toBeLessThan(2);
    } finally {
      await shifted.stop();
    }
  });
});
