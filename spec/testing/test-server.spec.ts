// The embedded test server's REST side, driven with raw fetch: /auth, bearer checks and the stack
// lifecycle (bootstrap, ask, store, close), every body and status of PROTOCOL.md.
import { startTestServer, type TestServer } from '../../lib/testing';
import { authorize, base64, bearer, bootstrapped, nodeRequest, post, request } from './helpers';

const VALUE_ERROR = 'Value error, Either `scope` or both `client_id` and `client_secret` must be provided.';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

describe('POST /auth', () => {
  it('creates a client for a scope: token, client_id and client_secret', async () => {
    const res = await post(server.url, '/auth', { scope: 'temporary', ignored: 1 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = res.json as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'client_id', 'client_secret']);
    expect(body.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.client_secret?.length).toBeGreaterThan(16);
  });

  it('issues an HS256 JWT with exactly sub, scope and a 30 minute exp (no iat), timed like its Date header', async () => {
    const res = await post(server.url, '/auth', { scope: 'persistent' });
    const auth = res.json as { access_token: string; client_id: string };
    const [header] = auth.access_token.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const payload = claims(auth.access_token);
    expect(Object.keys(payload).sort()).toEqual(['exp', 'scope', 'sub']);
    expect(payload).toMatchObject({ sub: auth.client_id, scope: 'persistent' });
    // issued, then answered: the Date header's second is the issuing second or the one after it
    const answeredAt = Date.parse(res.headers.get('date') ?? '') / 1000;
    expect(payload.exp as number - answeredAt).toBeGreaterThanOrEqual(1799);
    expect(payload.exp as number - answeredAt).toBeLessThanOrEqual(1800);
  });

  it('gives every client its own id', async () => {
    const [a, b] = await Promise.all([authorize(server), authorize(server)]);
    expect(a.client_id).not.toBe(b.client_id);
  });

  it('answers 401 with the value error without scope or both credentials', async () => {
    for (const body of [{}, { client_id: 'x' }, { client_secret: 'y' }, { scope: '' }]) {
      const res = await post(server.url, '/auth', body);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: VALUE_ERROR });
    }
  });

  it('answers 500 plain text for an unknown scope', async () => {
    const res = await post(server.url, '/auth', { scope: 'forever' });
    expect(res.status).toBe(500);
    expect(res.text).toBe('Internal Server Error');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('refreshes with credentials, for a temporary and a persistent client', async () => {
    for (const scope of ['temporary', 'persistent']) {
      const auth = await authorize(server, scope);
      const res = await post(server.url, '/auth', { client_id: auth.client_id, client_secret: auth.client_secret });
      expect(res.status).toBe(200);
      const body = res.json as Record<string, string>;
      expect(body).toMatchObject({ client_id: auth.client_id, client_secret: auth.client_secret });
      expect(claims(body.access_token ?? '')).toMatchObject({ sub: auth.client_id, scope });
      expect((await post(server.url, '/queries', { query: 'q' }, bearer(body.access_token ?? ''))).status).toBe(500);
    }
  });

  it('answers 401 for a wrong secret and for an unknown client', async () => {
    const auth = await authorize(server);
    const wrong = await post(server.url, '/auth', { client_id: auth.client_id, client_secret: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ detail: 'Invalid client_id or client_secret' });
    const unknown = await post(server.url, '/auth', { client_id: 'who', client_secret: 'nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual({ detail: 'Invalid or inactive session' });
  });

  it('answers 422 for malformed JSON, an empty body and wrongly typed fields', async () => {
    const malformed = await post(server.url, '/auth', '{"scope": ');
    expect(malformed.status).toBe(422);
    expect(malformed.json).toEqual({
      detail: [{ type: 'json_invalid', loc: ['body', 10], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting value' } }],
    });
    const empty = await request(server.url, '/auth', { headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(422);
    expect(empty.json).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
    const typed = await post(server.url, '/auth', { scope: 5 });
    expect(typed.json).toEqual({ detail: [{ type: 'string_type', loc: ['body', 'scope'], msg: 'Input should be a valid string', input: 5 }] });
    const array = await post(server.url, '/auth', []);
    expect(array.status).toBe(422);
    expect((array.json as { detail: Array<{ type: string }> }).detail[0]?.type).toBe('model_attributes_type');
  });

  it('treats a non-JSON content type as a body that is not an object (422)', async () => {
    const res = await post(server.url, '/auth', JSON.stringify({ scope: 'temporary' }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ detail: [{ type: 'model_attributes_type', loc: ['body'] }] });
  });
});

describe('bearer checks on authenticated routes', () => {
  let token: string;
  beforeAll(async () => {
    token = (await bootstrapped(server)).access_token;
  });

  it.each(['/sessions?action=init', '/queries', '/documents'])('answers 401 "Authorization header missing" on %s', async (path) => {
    const res = await post(server.url, path, { query: 'q', files: [] });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Authorization header missing' });
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('treats a header without the word "Bearer" as missing, and "Bearer" without a second word as a bad format', async () => {
    for (const header of [`bearer ${token}`, `Basic ${token}`, token]) {
      const res = await post(server.url, '/queries', { query: 'q' }, { Authorization: header });
      expect(res.json).toEqual({ detail: 'Authorization header missing' });
    }
    for (const header of ['Bearer', `Bearer  ${token}`]) {
      const res = await post(server.url, '/queries', { query: 'q' }, { Authorization: header });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: 'Invalid token format' });
    }
  });

  it('takes the token from the second space-separated word of any header holding "Bearer", as the middleware does', async () => {
    for (const header of [`xBearer ${token}`, `Bearer ${token} extra`]) {
      const res = await post(server.url, '/queries', { query: 'q' }, { Authorization: header });
      expect(res.status).toBe(200);
    }
  });

  it('answers 401 "Invalid token" for garbage and for a token signed with another key', async () => {
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.Zm9yZ2Vk';
    for (const bad of ['garbage', forged, `${token}x`]) {
      const res = await post(server.url, '/queries', { query: 'q' }, bearer(bad));
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: 'Invalid token' });
    }
  });

  it.each([
    ['malformed JSON', '/queries', '{'],
    ['a body failing validation', '/queries', {}],
    ['a missing action', '/sessions', { query: 'q' }],
    ['an unknown action', '/sessions?action=foo', { query: 'q' }],
    ['a store without files', '/documents', { metadata: {} }],
    ['an unknown path', '/nope', {}],
    ['a trailing slash', '/queries/', { query: 'q' }],
    ['/auth/ (only /auth itself skips the check)', '/auth/', { scope: 'temporary' }],
  ])('checks the bearer first: 401 without one for %s', async (_name, path, body) => {
    const res = await post(server.url, path, body);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Authorization header missing' });
  });

  it('validates the body (422) and checks the action (400) only for a valid bearer', async () => {
    expect((await post(server.url, '/queries', '{', bearer(token))).status).toBe(422);
    expect((await post(server.url, '/queries', {}, bearer(token))).status).toBe(422);
    expect((await post(server.url, '/sessions?action=foo', { query: 'q' }, bearer(token))).status).toBe(400);
    expect((await post(server.url, '/nope', {}, bearer(token))).status).toBe(404);
  });
});

describe('trailing slashes (Starlette redirect_slashes)', () => {
  let token: string;
  beforeAll(async () => {
    token = (await authorize(server, 'persistent')).access_token;
  });

  it.each([
    ['/queries/', '/queries'],
    ['/auth/', '/auth'],
    ['/sessions//?action=init&x=%20', '/sessions?action=init&x=%20'],
    ['/documents/', '/documents'],
  ])('answers %s with 307 to the absolute URL without the slash, query string kept', async (path, target) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: bearer(token), body: '{', redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${server.url}${target}`);
    expect(await res.text()).toBe('');
  });

  it('redirects any method, and OPTIONS even without a bearer', async () => {
    const get = await fetch(`${server.url}/queries/`, { headers: bearer(token), redirect: 'manual' });
    expect(get.status).toBe(307);
    const options = await fetch(`${server.url}/queries/`, { method: 'OPTIONS', redirect: 'manual' });
    expect(options.status).toBe(307);
    expect(options.headers.get('location')).toBe(`${server.url}/queries`);
  });

  it('builds the Location from the Host header the client sent', async () => {
    const res = await nodeRequest(`${server.url}/queries/`, { headers: { ...bearer(token), Host: 'stack.example:8443' }, body: '{}' });
    expect(res).toMatchObject({ ok: true, status: 307, headers: { location: 'http://stack.example:8443/queries' } });
  });

  it('answers 404 for an unknown path with a slash, for / and //, and for /ws/', async () => {
    for (const path of ['/nope/', '/', '//', '/ws/']) {
      const res = await post(server.url, path, {}, bearer(token));
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ detail: 'Not Found' });
    }
  });
});

describe('stack lifecycle', () => {
  it('answers 500 plain text for ask and close before bootstrap', async () => {
    const auth = await authorize(server);
    const headers = bearer(auth.access_token);
    for (const [path, body] of [
      ['/queries', { query: 'q' }],
      ['/sessions?action=close', { query: 'bye' }],
    ] as const) {
      const res = await post(server.url, path, body, headers);
      expect(res.status).toBe(500);
      expect(res.text).toBe('Internal Server Error');
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    }
  });

  it('answers a store before bootstrap with the failed-store answer (200, extras null) and stores nothing', async () => {
    const auth = await authorize(server, 'persistent');
    const headers = bearer(auth.access_token);
    const res = await post(server.url, '/documents', { files: [{ name: 'early.txt', content: base64('early') }], metadata: {} }, headers);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ stack_id: auth.client_id, result: 'Files stored', extras: null });
    expect(server.clients.find((c) => c.id === auth.client_id)).toMatchObject({ bootstrapped: false, documents: 0 });
    await post(server.url, '/sessions?action=init', { query: 'hi' }, headers);
    expect((await post(server.url, '/queries', { query: 'q' }, headers)).json).toMatchObject({ result: 'Answer to "q"' });
  });

  it('bootstraps (twice is fine) with "Greetings!" and the client id as stack id', async () => {
    const auth = await authorize(server);
    for (let i = 0; i < 2; i++) {
      const res = await post(server.url, '/sessions?action=init', { query: 'hello' }, bearer(auth.access_token));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ stack_id: auth.client_id, result: 'Greetings!', extras: null });
    }
  });

  it('answers an ask without documents with an echo and null extras fields', async () => {
    const auth = await bootstrapped(server);
    const res = await post(server.url, '/queries', { query: 'What is 2+2?' }, bearer(auth.access_token));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      stack_id: auth.client_id,
      result: 'Answer to "What is 2+2?"',
      extras: { query: 'What is 2+2?', metadata: null, distances: null, supporting_documents: null },
    });
  });

  it('stores files under their base names and answers from them', async () => {
    const auth = await bootstrapped(server);
    const headers = bearer(auth.access_token);
    const stored = await post(server.url, '/documents', {
      files: [
        { name: 'dir/sub/a.txt', content: base64('alpha') },
        { name: 'C:\\docs\\b.md', content: base64('beta') },
      ],
      metadata: { source: 'test' },
    }, headers);
    expect(stored.status).toBe(200);
    expect(stored.json).toEqual({
      stack_id: auth.client_id,
      result: 'Files stored',
      extras: { documents: [`${auth.client_id}-doc-1`, `${auth.client_id}-doc-2`] },
    });
    const again = await post(server.url, '/documents', { files: [{ name: 'c', content: base64('gamma') }] }, headers);
    expect(again.json).toMatchObject({ extras: { documents: [`${auth.client_id}-doc-3`] } });
    const answer = await post(server.url, '/queries', { query: 'q?' }, headers);
    expect(answer.json).toEqual({
      stack_id: auth.client_id,
      result: 'Answer to "q?" from a.txt, b.md, c',
      extras: {
        query: 'q?',
        metadata: [[{ source: 'test' }, { source: 'test' }, {}]],
        distances: [[0.1, 0.2, 0.3]],
        supporting_documents: [['alpha', 'beta', 'gamma']],
      },
    });
  });

  it('decodes invalid base64 leniently and stores whatever it yields', async () => {
    const auth = await bootstrapped(server);
    const headers = bearer(auth.access_token);
    const res = await post(server.url, '/documents', { files: [{ name: 'odd.txt', content: '!!aGk=!!' }], metadata: {} }, headers);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ result: 'Files stored', extras: { documents: [`${auth.client_id}-doc-1`] } });
    const answer = await post(server.url, '/queries', { query: 'q' }, headers);
    expect(answer.json).toMatchObject({ extras: { supporting_documents: [['hi']] } });
  });

  it('closes a temporary session with "Good bye!" and deactivates its client everywhere', async () => {
    const auth = await bootstrapped(server);
    const headers = bearer(auth.access_token);
    const res = await post(server.url, '/sessions?action=close', { query: 'bye' }, headers);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ stack_id: auth.client_id, result: 'Good bye!', extras: null });
    for (const path of ['/queries', '/sessions?action=init', '/documents']) {
      const after = await post(server.url, path, { query: 'q', files: [] }, headers);
      expect(after.status).toBe(401);
      expect(after.json).toEqual({ detail: 'Invalid or inactive session' });
    }
    const refresh = await post(server.url, '/auth', { client_id: auth.client_id, client_secret: auth.client_secret });
    expect(refresh.status).toBe(401);
    expect(refresh.json).toEqual({ detail: 'Invalid or inactive session' });
  });

  it('keeps a persistent client active after close: 500 until it bootstraps again, documents kept', async () => {
    const auth = await bootstrapped(server, 'persistent');
    const headers = bearer(auth.access_token);
    await post(server.url, '/documents', { files: [{ name: 'p.txt', content: base64('kept') }], metadata: {} }, headers);
    expect((await post(server.url, '/sessions?action=close', { query: 'bye' }, headers)).json).toMatchObject({ result: 'Good bye!' });
    expect((await post(server.url, '/queries', { query: 'q' }, headers)).status).toBe(500);
    expect((await post(server.url, '/sessions?action=close', { query: 'bye' }, headers)).status).toBe(500);
    const refresh = await post(server.url, '/auth', { client_id: auth.client_id, client_secret: auth.client_secret });
    expect(refresh.status).toBe(200);
    const fresh = bearer((refresh.json as { access_token: string }).access_token);
    expect((await post(server.url, '/sessions?action=init', { query: 'again' }, fresh)).json).toMatchObject({ result: 'Greetings!' });
    expect((await post(server.url, '/queries', { query: 'back' }, fresh)).json).toMatchObject({ result: 'Answer to "back" from p.txt' });
  });
});

describe('sessions action and body validation', () => {
  let headers: Record<string, string>;
  beforeAll(async () => {
    headers = bearer((await bootstrapped(server)).access_token);
  });

  it('answers 422 naming query.action when action is missing', async () => {
    const res = await post(server.url, '/sessions', { query: 'q' }, headers);
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ detail: [{ type: 'missing', loc: ['query', 'action'], msg: 'Field required', input: null }] });
  });

  it('lists the missing action and the missing query together', async () => {
    const res = await post(server.url, '/sessions', {}, headers);
    expect(res.json).toEqual({
      detail: [
        { type: 'missing', loc: ['query', 'action'], msg: 'Field required', input: null },
        { type: 'missing', loc: ['body', 'query'], msg: 'Field required', input: {} },
      ],
    });
  });

  it('answers 400 "Invalid action: foo" for an unknown action', async () => {
    const res = await post(server.url, '/sessions?action=foo', { query: 'q' }, headers);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Invalid action: foo' });
  });

  it('answers 422 for a session or ask body without query', async () => {
    for (const path of ['/sessions?action=init', '/queries']) {
      const res = await post(server.url, path, { question: 'q' }, headers);
      expect(res.status).toBe(422);
      expect(res.json).toEqual({ detail: [{ type: 'missing', loc: ['body', 'query'], msg: 'Field required', input: { question: 'q' } }] });
    }
  });

  it('answers 422 naming body.files for a store without files, and checks each file', async () => {
    const res = await post(server.url, '/documents', { metadata: {} }, headers);
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ detail: [{ type: 'missing', loc: ['body', 'files'], msg: 'Field required', input: { metadata: {} } }] });
    const bad = await post(server.url, '/documents', { files: [{ name: 'a' }, 'x'], metadata: [] }, headers);
    expect((bad.json as { detail: Array<{ loc: unknown[] }> }).detail.map((d) => d.loc)).toEqual([
      ['body', 'files', 0, 'content'],
      ['body', 'files', 1],
      ['body', 'metadata'],
    ]);
  });

  it('accepts a store without metadata', async () => {
    const res = await post(server.url, '/documents', { files: [] }, headers);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ result: 'Files stored', extras: { documents: [] } });
  });
});

describe('request bodies read as Python json reads them', () => {
  it("names Python's error and position in the 422 (v2 puts it in ctx.error)", async () => {
    const res = await post(server.url, '/auth', '{"scope": "temporary",}');
    expect(res.json).toEqual({
      detail: [{ type: 'json_invalid', loc: ['body', 22], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting property name enclosed in double quotes' } }],
    });
  });

  it('skips a UTF-8 byte-order mark and accepts NaN', async () => {
    expect((await post(server.url, '/auth', '\uFEFF{"scope": "temporary"}')).status).toBe(200);
    const auth = await bootstrapped(server);
    const res = await post(server.url, '/documents', '{"files": [], "metadata": {"n": NaN}}', bearer(auth.access_token));
    expect(res.status).toBe(200);
  });
});

describe('validation style v1', () => {
  let v1: TestServer;
  beforeAll(async () => {
    v1 = await startTestServer({ validationStyle: 'v1' });
  });
  afterAll(() => v1.stop());

  it('renders missing fields, missing action and malformed JSON in the pydantic 1 shape', async () => {
    const headers = bearer((await bootstrapped(v1)).access_token);
    const files = await post(v1.url, '/documents', { metadata: {} }, headers);
    expect(files.status).toBe(422);
    expect(files.json).toEqual({ detail: [{ loc: ['body', 'files'], msg: 'field required', type: 'value_error.missing' }] });
    const action = await post(v1.url, '/sessions', { query: 5 }, headers);
    expect(action.json).toEqual({
      detail: [
        { loc: ['query', 'action'], msg: 'field required', type: 'value_error.missing' },
        { loc: ['body', 'query'], msg: 'str type expected', type: 'type_error.str' },
      ],
    });
    const property = await post(v1.url, '/queries', '{bad', headers);
    expect(property.json).toEqual({
      detail: [{
        loc: ['body', 1],
        msg: 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)',
        type: 'value_error.jsondecode',
        ctx: { msg: 'Expecting property name enclosed in double quotes', doc: '{bad', pos: 1, lineno: 1, colno: 2 },
      }],
    });
    const malformed = await post(v1.url, '/queries', '{"query": ', headers);
    expect(malformed.status).toBe(422);
    expect(malformed.json).toEqual({
      detail: [{
        loc: ['body', 10],
        msg: 'Expecting value: line 1 column 11 (char 10)',
        type: 'value_error.jsondecode',
        ctx: { msg: 'Expecting value', doc: '{"query": ', pos: 10, lineno: 1, colno: 11 },
      }],
    });
  });
});
