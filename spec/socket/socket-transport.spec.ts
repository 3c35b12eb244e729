// The multiplexed WebSocket transport against the embedded test server, driven by its hooks.
import { createServer } from 'node:http';
import WebSocket from 'ws';
import { firstValueFrom, lastValueFrom, map, merge, mergeMap, range, toArray } from 'rxjs';
import {
  createClient,
  createSession,
  SessionMisuseError,
  HttpError,
  UnauthorizedError,
  ValidationError,
  type Authorization,
  type KissClient,
  type SocketLifecycleEvent,
  type WebSocketFactory,
} from '../../lib';
import { startTestServer, type TestServer } from '../../lib/testing';
import { eventually } from '../support/eventually';
import { failure } from '../support/failure';
import { socketTransport, SocketClosedError } from '../../lib/socket';

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.stop());
afterEach(() => server.setLatency(0));

const clients: KissClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.dispose()));

function socketClient(socket: Parameters<typeof createClient>[0]['socket'] = {}): KissClient {
  const client = createClient({ url: server.url, transport: socketTransport, socket: { reconnectDelay: 5, ...socket } });
  clients.push(client);
  return client;
}

async function session(client: KissClient, scope: 'temporary' | 'persistent' = 'temporary', bootstrap = true): Promise<Authorization> {
  const auth = await firstValueFrom(client.authorize({ scope }));
  if (bootstrap) await firstValueFrom(client.bootstrap(auth));
  return auth;
}

/** A session bootstrapped over REST, so the socket client's first socket starts at frame 1 with our requests. */
async function restSession(scope: 'temporary' | 'persistent' = 'persistent'): Promise<Authorization> {
  const rest = createClient({ url: server.url });
  const auth = await firstValueFrom(rest.authorize({ scope }));
  await firstValueFrom(rest.bootstrap(auth));
  return auth;
}

const frames = (event: string) => server.requests.filter((r) => r.transport === 'ws' && r.event === event).length;

/** A socket seen only through send, close and the four standard handlers, as a browser's WebSocket is:
 * ws underneath, but no EventEmitter, no ping, no unexpected-response. A refused handshake is then
 * known only from the error message.
 */
const standardOnly: WebSocketFactory = (url, { token }) => {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
  const like: ReturnType<WebSocketFactory> = {
    onopen: null,
    onmessage: null,
    onerror: null,
    onclose: null,
    send: (data) => ws.send(data as string),
    close: () => ws.close(),
  };
  ws.onopen = (event) => like.onopen?.(event);
  ws.onmessage = (event) => like.onmessage?.(event);
  ws.onerror = (event) => like.onerror?.(event);
  ws.onclose = (event) => like.onclose?.(event);
  return like;
};

describe('choosing the socket transport', () => {
  it('is socketTransport, from its own entry; the old string and anything else fail at once, saying where it is', () => {
    expect(createClient({ url: server.url }).transport).toBe('rest');
    expect(createClient({ url: server.url, transport: 'rest' }).transport).toBe('rest');
    const misuse = (transport: unknown) => {
      try {
        createClient({ url: server.url, transport: transport as 'rest' });
      } catch (error) {
        expect(error).toBeInstanceOf(SessionMisuseError);
        return (error as Error).message;
      }
      throw new Error(`transport ${String(transport)} was accepted`);
    };
    expect(misuse('socket')).toBe("The socket transport is in an entry of its own: import { socketTransport } from 'kiss-ai-stack-rx/socket' and pass transport: socketTransport.");
    expect(misuse('ws')).toBe("The transport option must be 'rest' or socketTransport (from 'kiss-ai-stack-rx/socket'), not 'ws'.");
    expect(misuse(null)).toMatch(/not object\.$/);
    expect(misuse({ kind: 'rest' })).toMatch(/not object\.$/);
    expect(() => createSession({ url: server.url, transport: 'socket' as 'rest' })).toThrow(SessionMisuseError);
  });
});

describe('the socket transport', () => {
  it('runs the whole lifecycle over one socket, with the same API as REST', async () => {
    const accepted = server.socketsAccepted;
    const client = socketClient();
    expect(client.transport).toBe('socket');
    const auth = await session(client);
    const plain = await firstValueFrom(client.ask(auth, 'Over the socket?'));
    expect(plain).toMatchObject({ stackId: auth.clientId, question: 'Over the socket?', supportingDocuments: null });
    expect(plain.text).toContain('Over the socket?');
    const stored = await firstValueFrom(client.store(auth, { name: 'docs/sock.txt', data: 'socket doc' }));
    expect(stored.fileNames).toEqual(['sock.txt']);
    const backed = await firstValueFrom(client.ask(auth, 'And the doc?'));
    expect(backed.text).toContain('sock.txt');
    await expect(firstValueFrom(client.destroy(auth))).resolves.toEqual({ stackId: auth.clientId, message: 'Good bye!' });
    expect(server.socketsAccepted - accepted).toBe(1);
    // after on_close the server keeps the socket open; the client closes it
    await eventually(() => server.openSockets === 0, 'the client to close the socket after destroy');
  });

  it('matches 1,000 concurrent asks from 50 subscribers to their callers, in order, over one socket', async () => {
    const accepted = server.socketsAccepted;
    const client = socketClient({ maxInFlight: 1000 });
    const auth = await session(client, 'persistent');
    const callers = Array.from({ length: 50 }, (_, caller) =>
      range(0, 20).pipe(
        mergeMap((n) => client.ask(auth, `caller ${caller} question ${n}`)),
        map((answer) => answer.text),
        toArray(),
        map((texts) => ({ caller, texts })),
      ),
    );
    const results = await lastValueFrom(merge(...callers).pipe(toArray()));
    expect(results).toHaveLength(50);
    for (const { caller, texts } of results) {
      // each answer echoes its own question: no caller got another's answer, none lost, none twice
      expect(texts).toEqual(Array.from({ length: 20 }, (_, n) => `Answer to "caller ${caller} question ${n}"`));
    }
    expect(server.socketsAccepted - accepted).toBe(1);
  });

  it('fails every pending request with a SocketClosedError when the server closes (1000) on asking before bootstrap', async () => {
    const client = socketClient();
    const auth = await session(client, 'temporary', false);
    server.clearRequests();
    const first = failure(firstValueFrom(client.ask(auth, 'too early 1')));
    const second = failure(firstValueFrom(client.ask(auth, 'too early 2')));
    const [e1, e2] = await Promise.all([first, second]);
    for (const e of [e1, e2]) {
      expect(e).toBeInstanceOf(SocketClosedError);
      expect(e).toMatchObject({ event: 'on_query', closure: 'server-closed', code: 1000, context: { step: 'ask' } });
      expect((e as Error).message).toMatch(/before bootstrap/);
      expect((e as Error).message).toMatch(/not resent/);
    }
    // neither was resent: the server saw each question once at most
    expect(frames('on_query')).toBeGreaterThanOrEqual(1);
    expect(frames('on_query')).toBeLessThanOrEqual(2);
  });

  it('retries asks on a new socket after a drop mid-pipeline, and never resends a store', async () => {
    const client = socketClient({ maxInFlight: 100 });
    const auth = await restSession();
    server.clearRequests();
    const accepted = server.socketsAccepted;
    server.setLatency(5);
    server.dropSocketAfter(3);
    const asks = Promise.all(Array.from({ length: 3 }, (_, i) => firstValueFrom(client.ask(auth, `before ${i}`))));
    const store = failure(firstValueFrom(client.store(auth, { name: 'once.txt', data: 'only once' })));
    const more = Promise.all(Array.from({ length: 5 }, (_, i) => firstValueFrom(client.ask(auth, `after ${i}`))));
    const [answered, storeError, later] = await Promise.all([asks, store, more]);
    expect(answered.map((a) => a.text)).toEqual([0, 1, 2].map((i) => `Answer to "before ${i}"`));
    expect(later.map((a) => a.text)).toEqual([0, 1, 2, 3, 4].map((i) => `Answer to "after ${i}"`));
    expect(storeError).toBeInstanceOf(SocketClosedError);
    expect(storeError).toMatchObject({ event: 'on_store', closure: 'dropped' });
    expect((storeError as Error).message).toMatch(/may already have stored/);
    expect(frames('on_store')).toBe(1);
    expect(server.socketsAccepted - accepted).toBe(2);
  });

  it('resends a store after a drop when the caller opts in', async () => {
    const client = socketClient({ resendStoresOnDrop: true });
    const auth = await restSession();
    server.clearRequests();
    server.dropSocketAfter(1);
    const stored = await firstValueFrom(client.store(auth, { name: 'twice.txt', data: 'maybe twice' }));
    expect(stored.ids.length).toBeGreaterThan(0);
    expect(frames('on_store')).toBe(2);
  });

  it('gives up on an ask after maxAskAttempts drops', async () => {
    const client = socketClient({ maxAskAttempts: 2 });
    const auth = await restSession();
    server.dropSocketAfter(1);
    server.dropSocketAfter(1);
    const error = await failure(firstValueFrom(client.ask(auth, 'unlucky')));
    expect(error).toMatchObject({ kind: 'socket-closed', closure: 'dropped', attempts: 2 });
  });

  it.each([
    ['ws', undefined],
    ['only the standard handlers (the 403 read from the error message alone)', standardOnly],
  ])('refreshes the token once when the handshake gets 403, then connects: %s', async (_name, webSocketFactory) => {
    const events: SocketLifecycleEvent[] = [];
    const client = socketClient({ onEvent: (e) => events.push(e), webSocketFactory });
    const auth = await session(client, 'persistent', false);
    server.expireAllTokens();
    server.clearRequests();
    const reply = await firstValueFrom(client.bootstrap(auth));
    expect(reply.message).toBe('Greetings!');
    expect(server.requests.filter((r) => r.path === '/auth')).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['socket-token-refreshed', 'socket-connected']));
    expect(JSON.stringify(events)).not.toContain(auth.accessToken);
  });

  it('ends a destroyed temporary session with a clear error instead of looping', async () => {
    const client = socketClient();
    const auth = await session(client, 'temporary');
    await firstValueFrom(client.destroy(auth));
    await eventually(() => server.openSockets === 0, 'the socket to close after destroy');
    server.clearRequests();
    const error = await failure(firstValueFrom(client.ask(auth, 'anyone?')));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'inactive-session' });
    expect((error as Error).message).toMatch(/client has ended/);
    expect(server.requests.filter((r) => r.path === '/auth')).toHaveLength(1);
  });

  it('cancels slow answers midway without shifting the others', async () => {
    const client = socketClient();
    const auth = await session(client, 'persistent');
    server.setLatency(20);
    const results: string[] = [];
    const a = firstValueFrom(client.ask(auth, 'slow a'));
    const sub = client.ask(auth, 'slow b').subscribe((x) => results.push(x.text));
    const c = firstValueFrom(client.ask(auth, 'slow c'));
    await server.waitForRequest((r) => r.event === 'on_query' && r.transport === 'ws');
    sub.unsubscribe();
    expect((await a).text).toBe('Answer to "slow a"');
    expect((await c).text).toBe('Answer to "slow c"');
    expect(results).toEqual([]);
  });

  it('takes a request unsubscribed before it is sent out of the queue', async () => {
    const client = socketClient({ maxInFlight: 1 });
    const auth = await session(client, 'persistent');
    server.setLatency(20);
    server.clearRequests();
    const first = firstValueFrom(client.ask(auth, 'sent'));
    const queued = client.ask(auth, 'never sent').subscribe();
    queued.unsubscribe();
    const third = firstValueFrom(client.ask(auth, 'sent later'));
    expect((await first).text).toBe('Answer to "sent"');
    expect((await third).text).toBe('Answer to "sent later"');
    expect(frames('on_query')).toBe(2);
  });

  it('fails exactly the request an interleaved error frame answers', async () => {
    // A factory that turns questions starting with "!" into an unknown event on the wire.
    const mangling: WebSocketFactory = (url, { token }) => {
      const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
      const send = ws.send.bind(ws);
      (ws as { send: (data: string) => void }).send = (data: string) =>
        send(data.includes('"query":"!') ? data.replace('"on_query"', '"bogus"') : data);
      return ws as unknown as ReturnType<WebSocketFactory>;
    };
    const client = socketClient({ webSocketFactory: mangling });
    const auth = await session(client, 'persistent');
    const outcomes = await Promise.all(
      ['one', '!two', 'three', '!four', 'five'].map((q) =>
        firstValueFrom(client.ask(auth, q)).then((a) => a.text, (e: unknown) => e),
      ),
    );
    expect(outcomes[0]).toBe('Answer to "one"');
    expect(outcomes[2]).toBe('Answer to "three"');
    expect(outcomes[4]).toBe('Answer to "five"');
    for (const e of [outcomes[1], outcomes[3]]) {
      expect(e).toBeInstanceOf(HttpError);
      expect(e).not.toBeInstanceOf(ValidationError);
      expect(e).toMatchObject({ status: 400, detail: 'Invalid event: bogus', context: { step: 'ask' } });
    }
  });

  it('matches answers and resends asks after a drop through only the standard handlers (as a browser WebSocket)', async () => {
    const client = socketClient({ webSocketFactory: standardOnly, maxInFlight: 100 });
    const auth = await restSession();
    const accepted = server.socketsAccepted;
    server.setLatency(5);
    server.dropSocketAfter(3);
    const questions = Array.from({ length: 8 }, (_, i) => `standard ${i}`);
    const answers = await Promise.all(questions.map((q) => firstValueFrom(client.ask(auth, q))));
    expect(answers.map((a) => a.text)).toEqual(questions.map((q) => `Answer to "${q}"`));
    expect(server.socketsAccepted - accepted).toBe(2);
  });

  it('closes an idle socket after its idle timeout, and reconnects lazily', async () => {
    const client = socketClient({ idleTimeout: 10 });
    const auth = await session(client, 'persistent');
    await eventually(() => server.openSockets === 0, 'the idle socket to close');
    const accepted = server.socketsAccepted;
    await firstValueFrom(client.ask(auth, 'wake up'));
    expect(server.socketsAccepted - accepted).toBe(1);
  });

  it('drops a socket whose peer stops answering pings, and retries its asks', async () => {
    let made = 0;
    // The first socket never reports a pong, as if the peer were gone.
    const deafFirst: WebSocketFactory = (url, { token }) => {
      const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
      if (made++ === 0) {
        const on = ws.on.bind(ws);
        (ws as { on: (event: string, listener: (...args: unknown[]) => void) => WebSocket }).on = (event, listener) =>
          event === 'pong' ? ws : on(event, listener);
      }
      return ws as unknown as ReturnType<WebSocketFactory>;
    };
    const client = socketClient({ webSocketFactory: deafFirst, pingInterval: 15 });
    const auth = await session(client, 'persistent');
    server.setLatency(100);
    const answer = await firstValueFrom(client.ask(auth, 'still alive?'));
    expect(answer.text).toBe('Answer to "still alive?"');
    expect(made).toBeGreaterThanOrEqual(2);
  });

  it('does not offer permessage-deflate from Node (the server would compress every frame)', async () => {
    // A server of the spec's own that records the upgrade request, then refuses it.
    const offers: Array<string | undefined> = [];
    const gate = createServer((_req, res) => res.writeHead(404).end());
    gate.on('upgrade', (request, socket) => {
      offers.push(request.headers['sec-websocket-extensions']);
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = gate.address() as { port: number };
      const client = createClient({ host: '127.0.0.1', port, secure: false, transport: socketTransport, socket: { reconnectAttempts: 0 } });
      clients.push(client);
      const auth = await firstValueFrom(socketClient().authorize({ scope: 'persistent' }));
      await failure(firstValueFrom(client.ask(auth, 'compressed?')));
      expect(offers.length).toBeGreaterThan(0);
      expect(offers).toEqual(offers.map(() => undefined));
      // The check can fail: ws with its defaults offers it.
      const defaults = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      defaults.on('error', () => undefined);
      await eventually(() => offers.length > 1 && offers.at(-1) !== undefined, 'a default ws offer');
      expect(offers.at(-1)).toMatch(/permessage-deflate/);
    } finally {
      await new Promise((resolve) => gate.close(resolve));
    }
  });

  it('fails queued requests with a TransportError when the server cannot be reached', async () => {
    const client = createClient({ host: '127.0.0.1', port: 9, secure: false, transport: socketTransport, socket: { reconnectAttempts: 1, reconnectDelay: 1 } });
    clients.push(client);
    const auth = await firstValueFrom(socketClient().authorize({ scope: 'persistent' }));
    const error = await failure(firstValueFrom(client.ask(auth, 'hello?')));
    expect(error).toMatchObject({ kind: 'transport' });
  });

  it('applies per-call timeouts and leaves the queue when they fire', async () => {
    const client = socketClient();
    const auth = await session(client, 'persistent');
    server.setLatency(200);
    const error = await failure(firstValueFrom(client.ask(auth, 'too slow', { timeout: 20 })));
    expect(error).toMatchObject({ kind: 'timeout', timeoutMs: 20, context: { step: 'ask', method: 'WS' } });
    server.setLatency(0);
    await expect(firstValueFrom(client.ask(auth, 'fine'))).resolves.toMatchObject({ text: 'Answer to "fine"' });
  });

  it('cancels through an AbortSignal: a CancelledError, and the answer goes to no one', async () => {
    const client = socketClient();
    const auth = await session(client, 'persistent');
    server.setLatency(30);
    const controller = new AbortController();
    const cancelled = failure(firstValueFrom(client.ask(auth, 'abort me', { signal: controller.signal })));
    const next = firstValueFrom(client.ask(auth, 'after the aborted one'));
    await server.waitForRequest((r) => r.transport === 'ws' && r.event === 'on_query');
    controller.abort();
    expect(await cancelled).toMatchObject({ kind: 'cancelled', context: { step: 'ask', method: 'WS' } });
    expect((await next).text).toBe('Answer to "after the aborted one"');
  });
});
