// What the request log says a request asked: the question of an ask, the file names and metadata
// of a store, over REST and over the socket, whatever the answer was; never a token, a client
// secret or a document's content.
import { firstValueFrom } from 'rxjs';
import { createClient, createSession } from '../../lib';
import { startTestServer, type SeenRequest, type TestServer } from '../../lib/testing';
import { authorize, base64, bearer, bootstrapped, post, TestSocket } from './helpers';
import { transportOption } from '../support/transports';
import { socketTransport } from '../../lib/socket';

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.stop());
beforeEach(() => server.clearRequests());

/** The fields the log adds, for requests that have them, in order. */
const asked = (requests: readonly SeenRequest[]) =>
  requests
    .filter((r) => r.question !== undefined || r.files !== undefined)
    .map(({ transport, path, event, question, files, metadata }) => ({ transport, path, ...(event ? { event } : {}), question, files, metadata }));

describe('the request log', () => {
  it.each(['rest', 'socket'] as const)('keeps the question of every ask and the file names and metadata of every store (%s)', async (transport) => {
    const session = createSession({ url: server.url, transport: transportOption(transport) });
    await firstValueFrom(session.open());
    await firstValueFrom(session.ask('What is KISS?'));
    await firstValueFrom(session.store([{ name: 'docs/notes.txt', data: 'secret contents' }, { name: 'b.bin', data: new Uint8Array([1]) }], { metadata: { team: 'docs', tags: ['a'] } }));
    await firstValueFrom(session.ask('And now?'));
    await firstValueFrom(session.destroy());
    const [path, event] = transport === 'rest' ? [['/queries', '/documents'], [undefined, undefined]] : [['/ws', '/ws'], ['on_query', 'on_store']];
    const wire = transport === 'rest' ? 'http' : 'ws';
    expect(asked(server.requests)).toEqual([
      { transport: wire, path: path[0], ...(event[0] ? { event: event[0] } : {}), question: 'What is KISS?', files: undefined, metadata: undefined },
      { transport: wire, path: path[1], ...(event[1] ? { event: event[1] } : {}), question: undefined, files: ['notes.txt', 'b.bin'], metadata: { team: 'docs', tags: ['a'] } },
      { transport: wire, path: path[0], ...(event[0] ? { event: event[0] } : {}), question: 'And now?', files: undefined, metadata: undefined },
    ]);
    // bootstrap and destroy carry a query too, but they are not asks; no content is ever kept
    expect(server.requests.filter((r) => r.path === '/sessions' || r.event === 'on_init' || r.event === 'on_close').every((r) => r.question === undefined)).toBe(true);
    expect(JSON.stringify(server.requests)).not.toContain('secret contents');
    expect(JSON.stringify(server.requests)).not.toContain(base64('secret contents'));
  });

  it('keeps what a request asked whatever its answer: a 401, an injected failure, a store before bootstrap', async () => {
    const auth = await authorize(server);
    server.clearRequests();
    server.failNext(1, 503);
    await post(server.url, '/queries', { query: 'failed' }, bearer(auth.access_token));
    await post(server.url, '/queries', { query: 'no bearer' });
    await post(server.url, '/documents', { files: [{ name: 'early.txt', content: base64('x') }] }, bearer(auth.access_token));
    expect(server.requests.map((r) => [r.status, r.question ?? r.files])).toEqual([
      [503, 'failed'],
      [401, 'no bearer'],
      [200, ['early.txt']],
    ]);
  });

  it('keeps the names as sent, {} for a store without metadata, and nothing of a body that is not a valid ask or store', async () => {
    const auth = await bootstrapped(server);
    server.clearRequests();
    const send = (path: string, body: unknown) => post(server.url, path, body as object, bearer(auth.access_token));
    await send('/documents', { files: [{ name: 'a/b\\c.txt', content: base64('x') }], metadata: null });
    await send('/documents', { files: [{ name: 'x.txt' }] });
    await send('/documents', { query: 'not a store' });
    await send('/queries', { query: 42 });
    await send('/queries', { files: [] });
    await send('/sessions?action=init', { query: 'a bootstrap' });
    await post(server.url, '/queries', '{"query": "not json', bearer(auth.access_token));
    expect(server.requests.map(({ path, status, question, files, metadata }) => ({ path, status, question, files, metadata }))).toEqual([
      { path: '/documents', status: 200, question: undefined, files: ['a/b\\c.txt'], metadata: {} },
      { path: '/documents', status: 422, question: undefined, files: undefined, metadata: undefined },
      { path: '/documents', status: 422, question: undefined, files: undefined, metadata: undefined },
      { path: '/queries', status: 422, question: undefined, files: undefined, metadata: undefined },
      { path: '/queries', status: 422, question: undefined, files: undefined, metadata: undefined },
      { path: '/sessions', status: 200, question: undefined, files: undefined, metadata: undefined },
      { path: '/queries', status: 422, question: undefined, files: undefined, metadata: undefined },
    ]);
  });

  it('describes socket frames the same way, an on_store without data or an on_query with bad data not at all', async () => {
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    server.clearRequests();
    await socket.call({ event: 'on_query', data: { query: 'over ws' } });
    await socket.call({ event: 'on_store', data: { files: [{ name: 'w.txt', content: base64('w') }], metadata: { n: 1 } } });
    await socket.call({ event: 'on_store' });
    await socket.call({ event: 'on_query', data: { query: ['no'] } });
    await socket.call({ event: 'bogus', data: { query: 'not an ask' } });
    socket.close();
    expect(server.requests.map(({ event, status, question, files, metadata }) => ({ event, status, question, files, metadata }))).toEqual([
      { event: 'on_query', status: 200, question: 'over ws', files: undefined, metadata: undefined },
      { event: 'on_store', status: 200, question: undefined, files: ['w.txt'], metadata: { n: 1 } },
      { event: 'on_store', status: 400, question: undefined, files: undefined, metadata: undefined },
      { event: 'on_query', status: 400, question: undefined, files: undefined, metadata: undefined },
      { event: 'bogus', status: 400, question: undefined, files: undefined, metadata: undefined },
    ]);
  });

  it('lets waitForRequest match on the question, before the answer', async () => {
    const client = createClient({ url: server.url });
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    const seen = server.waitForRequest((r) => r.question === 'awaited');
    const answer = firstValueFrom(client.ask(auth, 'awaited'));
    expect(await seen).toMatchObject({ path: '/queries', question: 'awaited' });
    expect((await answer).text).toBe('Answer to "awaited"');
    await firstValueFrom(client.destroy(auth));
  });

  it('hands out frozen copies: a test cannot change what the server stored', async () => {
    const auth = await bootstrapped(server);
    await post(server.url, '/documents', { files: [{ name: 'm.txt', content: base64('m') }], metadata: { nested: { a: 1 } } }, bearer(auth.access_token));
    const entry = server.requests.at(-1)!;
    expect(() => ((entry.metadata as { nested: { a: number } }).nested.a = 2)).toThrow(TypeError);
    expect(() => (entry.files as string[]).push('more')).toThrow(TypeError);
    const answer = await post(server.url, '/queries', { query: 'q' }, bearer(auth.access_token));
    expect((answer.json as { extras: { metadata: unknown } }).extras.metadata).toEqual([[{ nested: { a: 1 } }]]);
  });

  it('never holds a token or a client secret, whatever carried them', async () => {
    const session = createSession({ url: server.url, scope: 'persistent', transport: socketTransport });
    await firstValueFrom(session.open());
    await firstValueFrom(session.ask('hello'));
    const auth = await authorize(server, 'persistent');
    await post(server.url, '/auth', { client_id: auth.client_id, client_secret: auth.client_secret });
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    await socket.call({ event: 'on_init', data: { query: auth.client_secret } });
    socket.send({ event: 'on_auth', data: { query: auth.access_token } });
    await socket.closed;
    const log = JSON.stringify(server.requests);
    expect(log).not.toContain(auth.access_token);
    expect(log).not.toContain(auth.client_secret);
    await firstValueFrom(session.destroy());
  });
});
