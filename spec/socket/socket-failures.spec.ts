// Socket failures that must name their real cause, and stores too large for one frame.
import { firstValueFrom, of } from 'rxjs';
import {
  createClient,
  createSession,
  UnauthorizedError,
  type KissClient,
  type SessionActivity,
  type SocketLifecycleEvent,
  type WebSocketFactory,
} from '../../lib';
import { defaultWebSocketFactory } from '../../lib/socket/web-socket-factory';
import { startTestServer, type TestServer } from '../../lib/testing';
import { post, bearer } from '../testing/helpers';
import { eventually } from '../support/eventually';
import { failure } from '../support/failure';
import { socketTransport, PayloadTooLargeError, SocketClosedError } from '../../lib/socket';

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.stop());

const clients: KissClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.dispose()));
function socketClient(options: Partial<Parameters<typeof createClient>[0]> = {}): KissClient {
  const client = createClient({ url: server.url, transport: socketTransport, ...options, socket: { reconnectDelay: 5, ...options.socket } });
  clients.push(client);
  return client;
}
const rest = () => createClient({ url: server.url });
const authCalls = () => server.requests.filter((r) => r.path === '/auth').length;
const MiB = 1024 * 1024;

describe('socket errors name the real cause', () => {
  it('after a failed handshake refresh, every later call gets that failure, named for its own step', async () => {
    const client = socketClient();
    const auth = await firstValueFrom(rest().authorize({ scope: 'temporary' }));
    await firstValueFrom(rest().bootstrap(auth));
    await firstValueFrom(rest().destroy(auth)); // the client has ended; the socket does not know yet
    server.clearRequests();
    const first = await failure(firstValueFrom(client.ask(auth, 'anyone?')));
    expect(first).toBeInstanceOf(UnauthorizedError);
    expect(first).toMatchObject({ reason: 'inactive-session', context: { step: 'ask' } });
    expect((first as Error).message).toMatch(/during ask/);
    const second = await failure(firstValueFrom(client.store(auth, { name: 'a.txt', data: 'a' })));
    // not "HTTP 403 even with a freshly minted token": none was minted
    expect(second).toBeInstanceOf(UnauthorizedError);
    expect(second).toMatchObject({ reason: 'inactive-session', context: { step: 'store' } });
    expect((second as Error).message).toMatch(/during store/);
    expect(authCalls()).toBe(1);
  });

  it('requests waiting when the session fails get that failure, not a cancellation', async () => {
    let token = '';
    const capture: WebSocketFactory = (url, context) => {
      token = context.token;
      return defaultWebSocketFactory(url, context);
    };
    const session = createSession({ url: server.url, transport: socketTransport, socket: { webSocketFactory: capture, reconnectDelay: 5 }, retry: { maxAttempts: 1 } });
    const activity: SessionActivity[] = [];
    session.events$.subscribe((a) => activity.push(a));
    await firstValueFrom(session.open());
    // End the client behind the session's back, then drop its socket: the next handshake is refused.
    expect((await post(server.url, '/sessions?action=close', { query: 'bye' }, bearer(token))).status).toBe(200);
    server.closeAllSockets(1006);
    await eventually(() => activity.some((a) => a.type === 'socket-closed'), 'the client to see its socket drop');
    const outcomes = await Promise.all(['a', 'b', 'c'].map((q) => failure(firstValueFrom(session.ask(q)))));
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(UnauthorizedError);
      expect(outcome).toMatchObject({ reason: 'inactive-session', context: { step: 'ask' } });
      expect((outcome as Error).message).not.toMatch(/during authorize/);
    }
    expect(session.state.status).toBe('failed');
  });

  it('connects again after a refresh that settles synchronously', async () => {
    const creator = rest();
    const stale = await firstValueFrom(creator.authorize({ scope: 'persistent' }));
    await firstValueFrom(creator.bootstrap(stale));
    server.expireAllTokens();
    const fresh = await firstValueFrom(creator.authorize({ clientId: stale.clientId, clientSecret: stale.clientSecret! }));
    const client = socketClient({ refreshToken: () => of(fresh), timeout: 5000 });
    server.clearRequests();
    const answer = await firstValueFrom(client.ask(stale, 'after a synchronous refresh'));
    expect(answer.text).toBe('Answer to "after a synchronous refresh"');
    expect(server.requests.filter((r) => r.transport === 'http' && r.path === '/ws').map((r) => r.status)).toEqual([403, 101]);
  });
});

describe('stores too large for one socket frame', () => {
  const big = (mib: number) => ({ name: 'big.txt', data: new Uint8Array(mib * MiB).fill(97) });

  it('go over REST instead, once, with an event saying so', async () => {
    const events: SocketLifecycleEvent[] = [];
    const client = socketClient({ socket: { onEvent: (e) => events.push(e) } });
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    server.clearRequests();
    const stored = await firstValueFrom(client.store(auth, big(20)));
    expect(stored.ids).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === '/documents')).toHaveLength(1);
    expect(server.requests.filter((r) => r.event === 'on_store')).toHaveLength(0);
    expect(server.clients.find((c) => c.id === auth.clientId)?.documents).toBe(1);
    const overRest = events.find((e) => e.type === 'store-over-rest');
    expect(overRest).toMatchObject({ limit: 16 * MiB });
    expect((overRest as { bytes: number }).bytes).toBeGreaterThan(26 * MiB); // base64 of 20 MiB
    // the socket goes on serving the rest
    expect((await firstValueFrom(client.ask(auth, 'still here?'))).text).toMatch(/still here\?/);
    await firstValueFrom(client.destroy(auth));
  });

  it('fail before anything is sent when the REST fallback is off, naming the size and the limit', async () => {
    const client = socketClient({ socket: { largeStoresOverRest: false, maxFrameBytes: 1 * MiB } });
    const auth = await firstValueFrom(rest().authorize({ scope: 'temporary' }));
    await firstValueFrom(rest().bootstrap(auth));
    server.clearRequests();
    const error = await failure(firstValueFrom(client.store(auth, big(1))));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ kind: 'too-large', limit: MiB, context: { step: 'store' } });
    expect((error as PayloadTooLargeError).bytes).toBeGreaterThan(MiB);
    expect((error as Error).message).toContain(`${(error as PayloadTooLargeError).bytes}-byte`);
    expect((error as Error).message).toContain(`${MiB}-byte frame limit`);
    expect(server.requests).toEqual([]);
  });

  it('that the server closes with 1009 fail with their own cause and are never resent; asks beside them are', async () => {
    // The client believes frames up to 64 MiB go through; the server's limit is 16 MiB.
    const client = socketClient({ socket: { maxFrameBytes: 64 * MiB, resendStoresOnDrop: true } });
    const auth = await firstValueFrom(rest().authorize({ scope: 'temporary' }));
    await firstValueFrom(rest().bootstrap(auth));
    server.setLatency(30);
    server.clearRequests();
    try {
      const asked = firstValueFrom(client.ask(auth, 'before'));
      const error = await failure(firstValueFrom(client.store(auth, { name: 'big.txt', data: new Uint8Array(17 * MiB).fill(97) })));
      expect(error).toBeInstanceOf(SocketClosedError);
      expect(error).toMatchObject({ closure: 'too-big', code: 1009, event: 'on_store', attempts: 1, context: { step: 'store' } });
      expect((error as Error).message).toMatch(/message too big/);
      // the ask sent before it lost its socket too, and was answered on the next one
      expect((await asked).text).toBe('Answer to "before"');
    } finally {
      server.setLatency(0);
    }
    expect(server.requests.filter((r) => r.transport === 'http' && r.path === '/ws')).toHaveLength(2);
    expect(server.clients.find((c) => c.id === auth.clientId)?.documents).toBe(0);
    expect((await firstValueFrom(client.ask(auth, 'after'))).text).toBe('Answer to "after"');
  });
});

