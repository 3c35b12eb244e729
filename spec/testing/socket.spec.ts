// The test server's socket, driven with raw ws: handshake refusals, answer and error frames,
// in-order pipelining, and the silent closes (code 1000, empty reason, no frame).
import { startTestServer, type TestServer } from '../../lib/testing';
import { authorize, base64, bearer, bootstrapped, handshakeStatus, post, TestSocket } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const SILENT = { code: 1000, reason: '' };

describe('handshake', () => {
  it('accepts a valid bearer token', async () => {
    const auth = await authorize(server);
    expect(await handshakeStatus(server.wsUrl, bearer(auth.access_token))).toEqual({ status: 101, body: '' });
  });

  it('refuses with a bare 403 without header, with a bad or lower-case bearer, or an expired token', async () => {
    const auth = await authorize(server);
    for (const headers of [{}, bearer('garbage'), { Authorization: `bearer ${auth.access_token}` }]) {
      expect(await handshakeStatus(server.wsUrl, headers)).toEqual({ status: 403, body: '' });
    }
    const other = await startTestServer();
    try {
      const stale = await authorize(other);
      other.expireAllTokens();
      expect((await handshakeStatus(other.wsUrl, bearer(stale.access_token))).status).toBe(403);
    } finally {
      await other.stop();
    }
  });

  it('refuses a socket on another path with 403', async () => {
    const auth = await authorize(server);
    expect((await handshakeStatus(`${server.url.replace('http', 'ws')}/other`, bearer(auth.access_token))).status).toBe(403);
  });
});

describe('frames', () => {
  it('runs the whole lifecycle over one socket with the REST bodies inside', async () => {
    const auth = await authorize(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    const id = auth.client_id;
    expect(await socket.call({ event: 'on_init', data: { query: 'hi' } })).toEqual({
      event: 'on_init',
      result: { stack_id: id, result: 'Greetings!', extras: null },
    });
    expect(await socket.call({ event: 'on_store', data: { files: [{ name: 'x/notes.txt', content: base64('note') }], metadata: { k: 1 } } })).toEqual({
      event: 'on_store',
      result: { stack_id: id, result: 'Files stored', extras: { documents: [`${id}-doc-1`] } },
    });
    expect(await socket.call({ event: 'on_query', data: { query: 'what?' } })).toEqual({
      event: 'on_query',
      result: {
        stack_id: id,
        result: 'Answer to "what?" from notes.txt',
        extras: { query: 'what?', metadata: [[{ k: 1 }]], distances: [[0.1]], supporting_documents: [['note']] },
      },
    });
    expect(await socket.call({ event: 'on_close', data: { query: 'bye' } })).toEqual({
      event: 'on_close',
      result: { stack_id: id, result: 'Good bye!', extras: null },
    });
    // the server keeps the socket open after on_close; a temporary client can do nothing more
    expect(server.openSockets).toBeGreaterThan(0);
    socket.send({ event: 'on_query', data: { query: 'after close' } });
    expect(await socket.closed).toEqual(SILENT);
    expect(socket.messages).toEqual([]);
    expect((await handshakeStatus(server.wsUrl, bearer(auth.access_token))).status).toBe(403);
    const refresh = await post(server.url, '/auth', { client_id: auth.client_id, client_secret: auth.client_secret });
    expect(refresh.json).toEqual({ detail: 'Invalid or inactive session' });
  });

  it('answers error frames that name neither event nor request', async () => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call({ event: 'bogus', data: {} })).toEqual({ error: true, status_code: 400, detail: 'Invalid event: bogus' });
    expect(await socket.call({ data: {} })).toEqual({ error: true, status_code: 400, detail: 'Invalid event: None' });
    expect(await socket.call('not json {')).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(await socket.call({ event: 'on_store', data: { metadata: {} } })).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(await socket.call({ event: 'on_query', data: {} })).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(await socket.call({ event: 'on_init', data: { query: 5 } })).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    // still usable afterwards
    expect(await socket.call({ event: 'on_query', data: { query: 'ok' } })).toMatchObject({ event: 'on_query', result: { result: 'Answer to "ok"' } });
    socket.close();
  });

  it('answers 20 pipelined frames in order, one answer each', async () => {
    const auth = await authorize(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    socket.send({ event: 'on_init', data: { query: 'hi' } });
    for (let i = 1; i < 20; i++) socket.send(i % 5 === 0 ? { event: 'bogus', data: {} } : { event: 'on_query', data: { query: `q${i}` } });
    const answers: unknown[] = [];
    for (let i = 0; i < 20; i++) answers.push(await socket.next());
    expect(answers[0]).toMatchObject({ event: 'on_init', result: { result: 'Greetings!' } });
    for (let i = 1; i < 20; i++) {
      expect(answers[i]).toEqual(
        i % 5 === 0
          ? { error: true, status_code: 400, detail: 'Invalid event: bogus' }
          : expect.objectContaining({ event: 'on_query', result: expect.objectContaining({ result: `Answer to "q${i}"` }) }),
      );
    }
    socket.close();
  });
});

describe('frames the server reads the Python way', () => {
  it.each([
    ['missing', { data: {} }, 'None'],
    ['null', { event: null, data: {} }, 'None'],
    ['an empty object', { event: {}, data: {} }, '{}'],
    ['an object', { event: { a: 1 }, data: {} }, "{'a': 1}"],
    ['a nested object', { event: { a: [1, 'x', null, true, { b: 'c' }], 'k"': "it's" } }, `{'a': [1, 'x', None, True, {'b': 'c'}], 'k"': "it's"}`],
    ['a list', { event: [1, 2], data: {} }, '[1, 2]'],
    ['a number', { event: 5, data: {} }, '5'],
    ['a float', { event: 1.5 }, '1.5'],
    ['a boolean', { event: true, data: {} }, 'True'],
  ])('answers an event that is %s with "Invalid event: <Python str()>"', async (_name, frame, rendered) => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call(frame)).toEqual({ error: true, status_code: 400, detail: `Invalid event: ${rendered}` });
    expect(await socket.call({ event: 'on_query', data: { query: 'still open' } })).toMatchObject({ event: 'on_query' });
    socket.close();
  });

  it.each([
    ['{"event": 1.0}', '1.0'],
    ['{"event": 1e20}', '1e+20'],
    ['{"event": 1e-5}', '1e-05'],
    ['{"event": 123456789012345678901234567890}', '123456789012345678901234567890'],
    ['{"event": {"b": 1, "1": 2, "b": 3}}', "{'b': 3, '1': 2}"],
    ['{"event": NaN}', 'nan'],
    ['{"event": -Infinity}', '-inf'],
    [JSON.stringify({ event: ["a'b", 'tab\t', '\u00e9\u00a0', '\u{1F600}'] }), `["a'b", 'tab\\t', 'é\\xa0', '\u{1F600}']`],
  ])('renders %s exactly as Python does', async (text, rendered) => {
    const auth = await authorize(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call(text)).toEqual({ error: true, status_code: 400, detail: `Invalid event: ${rendered}` });
    socket.close();
  });

  it('reads missing data as {} (then validates it) and accepts NaN as Python\'s json does', async () => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call({ event: 'on_query' })).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(await socket.call({ event: 'on_store' })).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(await socket.call('{"event": "on_query", "data": {"query": NaN}}')).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(await socket.call('{"event": "on_store", "data": {"files": [], "metadata": {"n": NaN}}}')).toMatchObject({ event: 'on_store', result: { result: 'Files stored' } });
    expect(await socket.call('{"event": "bogus",}')).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    socket.close();
  });

  it('answers a store before bootstrap with the failed-store answer, and stores nothing', async () => {
    const auth = await authorize(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call({ event: 'on_store', data: { files: [{ name: 'a.txt', content: base64('a') }], metadata: {} } })).toEqual({
      event: 'on_store',
      result: { stack_id: auth.client_id, result: 'Files stored', extras: null },
    });
    expect(server.clients.find((c) => c.id === auth.client_id)).toMatchObject({ bootstrapped: false, documents: 0 });
    socket.close();
  });

  it('keeps answering a temporary client after its close: error frames, the failed store; anything else closes', async () => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    await socket.call({ event: 'on_close', data: { query: 'bye' } });
    expect(await socket.call({ event: 'bogus', data: {} })).toEqual({ error: true, status_code: 400, detail: 'Invalid event: bogus' });
    expect(await socket.call({ event: 'on_store', data: {} })).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(await socket.call({ event: 'on_store', data: { files: [{ name: 'late.txt', content: base64('late') }] } })).toMatchObject({
      result: { result: 'Files stored', extras: null },
    });
    socket.send({ event: 'on_init', data: { query: 'again?' } });
    expect(await socket.closed).toEqual(SILENT);
  });
});

describe('frame size limit', () => {
  /** A text frame of exactly `bytes` bytes that the server answers with "Invalid event: bogus". */
  const frameOf = (bytes: number) => {
    const head = '{"event":"bogus","pad":"';
    const tail = '"}';
    return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
  };

  it('answers a frame of exactly 16 MiB, and closes with 1009 and no answer for a 17 MB one (defaults)', async () => {
    const auth = await authorize(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call(frameOf(16 * 1024 * 1024))).toEqual({ error: true, status_code: 400, detail: 'Invalid event: bogus' });
    socket.send(frameOf(17_000_000));
    expect(await socket.closed).toEqual({ code: 1009, reason: '' });
    expect(socket.messages).toEqual([]);
  });

  it('takes its limit from maxFrameBytes: the limit is answered, one byte more closes with 1009', async () => {
    const small = await startTestServer({ maxFrameBytes: 1000 });
    try {
      const auth = await authorize(small);
      const socket = await TestSocket.open(small.wsUrl, auth.access_token);
      expect(await socket.call(frameOf(1000))).toMatchObject({ detail: 'Invalid event: bogus' });
      socket.send(frameOf(1001));
      expect(await socket.closed).toEqual({ code: 1009, reason: '' });
      expect(socket.messages).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});

describe('silent closes (code 1000, empty reason, no frame)', () => {
  it.each([
    ['asking before bootstrap', { event: 'on_query', data: { query: 'q' } }],
    ['closing before bootstrap', { event: 'on_close', data: { query: 'q' } }],
    ['on_auth (a real event whose handler cannot read a query body)', { event: 'on_auth', data: { query: 'q' } }],
  ])('%s', async (_name, frame) => {
    const auth = await authorize(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    socket.send(frame);
    expect(await socket.closed).toEqual(SILENT);
    expect(socket.messages).toEqual([]);
  });

  it.each([
    ['a number', 5],
    ['a string', 'text'],
    ['an array', []],
    ['null', null],
  ])('data that is not an object (%s)', async (_name, data) => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    socket.send({ event: 'on_query', data });
    expect(await socket.closed).toEqual(SILENT);
    expect(socket.messages).toEqual([]);
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"str"'],
    ['null', 'null'],
  ])('JSON that is not an object (%s)', async (_name, text) => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    socket.send(text);
    expect(await socket.closed).toEqual(SILENT);
  });

  it('a binary frame, even holding valid JSON (the server reads text frames only)', async () => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    socket.ws.send(Buffer.from(JSON.stringify({ event: 'on_query', data: { query: 'q' } })), { binary: true });
    expect(await socket.closed).toEqual(SILENT);
    expect(socket.messages).toEqual([]);
  });

  it('answers the frames before the failing one and nothing behind it', async () => {
    const auth = await authorize(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    socket.send({ event: 'bogus', data: {} });
    socket.send({ event: 'on_query', data: { query: 'too early' } });
    socket.send({ event: 'on_init', data: { query: 'hi' } });
    socket.send({ event: 'on_query', data: { query: 'q' } });
    expect(await socket.closed).toEqual(SILENT);
    expect(socket.messages).toEqual([{ error: true, status_code: 400, detail: 'Invalid event: bogus' }]);
    // the frames behind it changed nothing: the stack is still not bootstrapped
    expect((await post(server.url, '/queries', { query: 'q' }, bearer(auth.access_token))).status).toBe(500);
  });

  it('lets a persistent client bootstrap again on the same socket after on_close', async () => {
    const auth = await authorize(server, 'persistent');
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    await socket.call({ event: 'on_init', data: { query: 'hi' } });
    await socket.call({ event: 'on_close', data: { query: 'bye' } });
    expect(await socket.call({ event: 'on_init', data: { query: 'again' } })).toMatchObject({ result: { result: 'Greetings!' } });
    expect(await socket.call({ event: 'on_close', data: { query: 'bye' } })).toMatchObject({ result: { result: 'Good bye!' } });
    socket.send({ event: 'on_query', data: { query: 'closed stack' } });
    expect(await socket.closed).toEqual(SILENT);
    expect((await handshakeStatus(server.wsUrl, bearer(auth.access_token))).status).toBe(101);
  });

  it('closes an open socket of a temporary client closed over REST at its next frame', async () => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    await post(server.url, '/sessions?action=close', { query: 'bye' }, bearer(auth.access_token));
    socket.send({ event: 'on_init', data: { query: 'hi' } });
    expect(await socket.closed).toEqual(SILENT);
  });
});
