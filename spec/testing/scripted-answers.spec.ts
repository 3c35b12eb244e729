// Scripted answers: the test's own function of the question and the documents stored so far
// answers the asks, sync or async, over REST and the socket, on the real server's wire format;
// a script that throws plays a stack that raised; the default stays the deterministic echo.
import { Agent } from 'node:http';
import { firstValueFrom } from 'rxjs';
import { createClient, ServerError } from '../../lib';
import { SocketClosedError } from '../../lib/socket';
import { startTestServer, type AnswerScript, type QuestionAsked, type TestServer } from '../../lib/testing';
import { failure } from '../support/failure';
import { base64, bearer, bootstrapped, nodeRequest, post, TestSocket } from './helpers';
import { transportOption } from '../support/transports';

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.stop());
afterEach(() => server.setAnswer(undefined));

/** A promise and the function that resolves it: a gate a script waits at, opened by the test. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  return { opened: new Promise<void>((resolve) => (open = resolve)), open };
}

/** A client of the given transport with a bootstrapped temporary client; ends it afterwards. */
async function withClient<T>(transport: 'rest' | 'socket', run: (client: ReturnType<typeof createClient>, auth: Parameters<ReturnType<typeof createClient>['ask']>[0]) => Promise<T>): Promise<T> {
  const client = createClient({ url: server.url, transport: transportOption(transport) });
  const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
  await firstValueFrom(client.bootstrap(auth));
  try {
    return await run(client, auth);
  } finally {
    await firstValueFrom(createClient({ url: server.url }).destroy(auth)).catch(() => undefined);
    client.dispose();
  }
}

describe.each(['rest', 'socket'] as const)('scripted answers over %s', (transport) => {
  const wire = transport === 'rest' ? 'http' : 'ws';

  it('answers with what the script returns, given the question and the documents stored so far', async () => {
    const seen: QuestionAsked[] = [];
    server.setAnswer((asked) => {
      seen.push(asked);
      return asked.documents.length ? `${asked.documents.map((d) => `${d.name}=${d.text}`).join(';')} for ${asked.question}` : 'nothing stored';
    });
    await withClient(transport, async (client, auth) => {
      expect(await firstValueFrom(client.ask(auth, 'first?'))).toMatchObject({ text: 'nothing stored', supportingDocuments: null, metadata: null, distances: null });
      const stored = await firstValueFrom(client.store(auth, [{ name: 'a.txt', data: 'alpha' }, { name: 'dir/b.txt', data: 'beta' }], { metadata: { team: 'docs' } }));
      expect((await firstValueFrom(client.ask(auth, 'second?'))).text).toBe('a.txt=alpha;b.txt=beta for second?');
      expect(seen.map((s) => s.question)).toEqual(['first?', 'second?']);
      expect(seen[1]).toEqual({
        question: 'second?',
        clientId: auth.clientId,
        transport: wire,
        documents: [
          { id: stored.ids[0], name: 'a.txt', text: 'alpha', metadata: { team: 'docs' } },
          { id: stored.ids[1], name: 'b.txt', text: 'beta', metadata: { team: 'docs' } },
        ],
      });
      expect(Object.isFrozen(seen[1]!.documents) && Object.isFrozen(seen[1]!.documents[0]!.metadata)).toBe(true);
    });
  });

  it('answers a promise once it settles, with the supporting documents it names', async () => {
    server.setAnswer(async ({ question }) => {
      await Promise.resolve();
      return { text: `async ${question}`, documents: [{ text: 'p. 4', metadata: { page: 4 } }, { text: 'p. 9', distance: 0.42 }] };
    });
    await withClient(transport, async (client, auth) => {
      expect(await firstValueFrom(client.ask(auth, 'leave?'))).toMatchObject({
        text: 'async leave?',
        supportingDocuments: [['p. 4', 'p. 9']],
        metadata: [[{ page: 4 }, null]],
        distances: [[0.1, 0.42]],
      });
    });
  });

  it('answers with the default echo when the script returns undefined', async () => {
    server.setAnswer(() => undefined);
    await withClient(transport, async (client, auth) => {
      expect((await firstValueFrom(client.ask(auth, 'echo?'))).text).toBe('Answer to "echo?"');
    });
  });

  it('plays a stack that raised when the script throws or rejects, and logs what it threw', async () => {
    const thrown = new Error('the model is down');
    for (const script of [() => { throw thrown; }, () => Promise.reject(thrown)] satisfies AnswerScript[]) {
      server.setAnswer(script);
      server.clearRequests();
      await withClient(transport, async (client, auth) => {
        const error = await failure(firstValueFrom(client.ask(auth, 'fails?')));
        if (transport === 'rest') expect(error).toMatchObject({ constructor: ServerError, status: 500 });
        else expect(error).toMatchObject({ constructor: SocketClosedError, closure: 'server-closed', code: 1000 });
      });
      const asks = server.requests.filter((r) => r.question === 'fails?');
      expect(asks.length).toBeGreaterThan(0);
      expect(asks.every((r) => r.answerError === thrown)).toBe(true);
    }
  });
});

describe('scripted answers on the wire', () => {
  it('keeps the real server reply shape exactly, REST and socket', async () => {
    server.setAnswer(() => ({ text: 'shaped', documents: [{ text: 'doc', metadata: { k: 'v' }, distance: 0.3 }] }));
    const auth = await bootstrapped(server);
    const extras = { query: 'shape?', metadata: [[{ k: 'v' }]], distances: [[0.3]], supporting_documents: [['doc']] };
    const rest = await post(server.url, '/queries', { query: 'shape?' }, bearer(auth.access_token));
    expect(rest.status).toBe(200);
    expect(rest.text).toBe(JSON.stringify({ stack_id: auth.client_id, result: 'shaped', extras }));
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call({ event: 'on_query', data: { query: 'shape?' } })).toEqual({ event: 'on_query', result: { stack_id: auth.client_id, result: 'shaped', extras } });
    server.setAnswer(() => 'plain');
    expect(await socket.call({ event: 'on_query', data: { query: 'plain?' } })).toEqual({
      event: 'on_query',
      result: { stack_id: auth.client_id, result: 'plain', extras: { query: 'plain?', metadata: null, distances: null, supporting_documents: null } },
    });
    socket.close();
  });

  it('closes the REST connection after the 500 of a script that threw, as after any unhandled error', async () => {
    server.setAnswer(() => {
      throw new Error('boom');
    });
    const auth = await bootstrapped(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ask = () => nodeRequest(`${server.url}/queries`, { body: JSON.stringify({ query: 'q' }), headers: bearer(auth.access_token), agent });
      expect(await ask()).toMatchObject({ ok: true, status: 500, text: 'Internal Server Error', headers: { 'content-type': 'text/plain; charset=utf-8' } });
      expect(await ask()).toMatchObject({ ok: false, code: 'ECONNRESET', reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });

  it('treats a return that is no answer as a raise', async () => {
    const auth = await bootstrapped(server);
    for (const bad of [42, null, { answer: 'x' }, { text: 'x', documents: 'y' }]) {
      server.setAnswer(() => bad as unknown as string);
      server.clearRequests();
      expect((await post(server.url, '/queries', { query: 'q' }, bearer(auth.access_token))).status).toBe(500);
      expect(server.requests[0]!.answerError).toBeInstanceOf(TypeError);
    }
  });

  it('is never asked before bootstrap or after a temporary client closed: those stay 500s', async () => {
    const script = jest.fn<ReturnType<AnswerScript>, Parameters<AnswerScript>>(() => 'scripted');
    server.setAnswer(script);
    const auth = (await post(server.url, '/auth', { scope: 'temporary' })).json as { access_token: string };
    expect((await post(server.url, '/queries', { query: 'too early' }, bearer(auth.access_token))).status).toBe(500);
    await post(server.url, '/sessions?action=init', { query: 'hi' }, bearer(auth.access_token));
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    expect(await socket.call({ event: 'on_close', data: { query: 'bye' } })).toMatchObject({ event: 'on_close' });
    socket.send({ event: 'on_query', data: { query: 'too late' } });
    expect(await socket.closed).toEqual({ code: 1000, reason: '' });
    expect(script).not.toHaveBeenCalled();
  });

  it('keeps socket answers in order: a frame waits while the script answers the one before it', async () => {
    const held = gate();
    server.setAnswer(async ({ question }) => {
      if (question === 'slow') await held.opened;
      return `scripted ${question}`;
    });
    const auth = await bootstrapped(server);
    const socket = await TestSocket.open(server.wsUrl, auth.access_token);
    socket.send({ event: 'on_query', data: { query: 'slow' } });
    socket.send({ event: 'on_query', data: { query: 'fast' } });
    await server.waitForRequest((r) => r.question === 'fast');
    expect(socket.messages).toEqual([]);
    held.open();
    expect(await socket.next()).toMatchObject({ result: { result: 'scripted slow' } });
    expect(await socket.next()).toMatchObject({ result: { result: 'scripted fast' } });
    socket.close();
  });

  it('takes the answer option at start, and setAnswer(undefined) brings the default echo back', async () => {
    const scripted = await startTestServer({ answer: ({ documents }) => `${documents.length} documents` });
    try {
      const auth = await bootstrapped(scripted);
      const ask = async () => ((await post(scripted.url, '/queries', { query: 'q' }, bearer(auth.access_token))).json as { result: string }).result;
      await post(scripted.url, '/documents', { files: [{ name: 'x.txt', content: base64('x') }] }, bearer(auth.access_token));
      expect(await ask()).toBe('1 documents');
      scripted.setAnswer(undefined);
      expect(await ask()).toBe('Answer to "q" from x.txt');
    } finally {
      await scripted.stop();
    }
  });
});
