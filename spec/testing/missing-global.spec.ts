// A global the client needs and the runtime lacks is a MissingGlobalError that names it and says
// how to provide it, never "could not reach the server": at the start of a store (nothing sent),
// and for a ReferenceError met mid-request (REST or socket).
import { firstValueFrom } from 'rxjs';
import { createClient, createSession, MissingGlobalError, SessionMisuseError, TransportError } from '../../lib';
import { readTokenClaims } from '../../lib/auth/jwt-claims';
import { errorFromNetworkFailure } from '../../lib/errors/from-response';
import { startTestServer, type TestServer } from '../../lib/testing';
import { failure } from '../support/failure';
import { socketTransport } from '../../lib/socket';

/** Runs `body` with the named globals removed, then puts them back as they were. */
async function without<T>(names: readonly string[], body: () => Promise<T>): Promise<T> {
  const saved = names.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  for (const name of names) delete (globalThis as Record<string, unknown>)[name];
  try {
    return await body();
  } finally {
    for (const [name, descriptor] of saved) if (descriptor) Object.defineProperty(globalThis, name, descriptor);
  }
}

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.stop());

describe('a missing global', () => {
  it('fails a store of text without TextEncoder (or Node Buffer) before anything is sent, naming it and the fix', async () => {
    const session = createSession({ url: server.url });
    await firstValueFrom(session.open());
    server.clearRequests();
    const error = await without(['TextEncoder', 'Buffer'], () => failure(firstValueFrom(session.store([{ name: 'notes.txt', data: 'KISS' }]))));
    expect(error).toBeInstanceOf(MissingGlobalError);
    expect(error).toBeInstanceOf(SessionMisuseError);
    expect(error).not.toBeInstanceOf(TransportError);
    const missing = error as MissingGlobalError;
    expect(missing.kind).toBe('misuse');
    expect(missing.globalName).toBe('TextEncoder');
    expect(missing.message).toContain('This runtime has no global TextEncoder');
    expect(missing.message).toContain('"notes.txt"');
    expect(missing.message).toContain("globalThis.TextEncoder ??= require('node:util').TextEncoder;");
    expect(missing.context.step).toBe('store');
    expect(server.requests.map((r) => r.path)).toEqual([]);
    await firstValueFrom(session.destroy());
  });

  it('stores text without TextEncoder where Node Buffer is there (jest-environment-jsdom)', async () => {
    const session = createSession({ url: server.url });
    await firstValueFrom(session.open());
    const stored = await without(['TextEncoder'], () => firstValueFrom(session.store([{ name: 'é.txt', data: 'déjà 漢字 😀' }])));
    expect(stored.ids).toHaveLength(1);
    expect((await firstValueFrom(session.ask('what?'))).supportingDocuments).toEqual([['déjà 漢字 😀']]);
    await firstValueFrom(session.destroy());
  });

  it('turns a ReferenceError met mid-request into a MissingGlobalError naming the global, over REST', async () => {
    const fetch = async (): Promise<Response> => {
      throw new ReferenceError('TextEncoder is not defined'); // e.g. a fetch polyfill that needs it
    };
    const error = await failure(firstValueFrom(createClient({ url: server.url, fetch }).authorize({ scope: 'temporary' })));
    expect(error).toBeInstanceOf(MissingGlobalError);
    expect((error as MissingGlobalError).globalName).toBe('TextEncoder');
    expect((error as MissingGlobalError).context.step).toBe('authorize');
  });

  it('turns a ReferenceError met opening the socket into a MissingGlobalError naming the global', async () => {
    const rest = createClient({ url: server.url });
    const auth = await firstValueFrom(rest.authorize({ scope: 'temporary' }));
    const socket = createClient({
      url: server.url,
      transport: socketTransport,
      socket: {
        webSocketFactory: () => {
          throw new ReferenceError('WebSocket is not defined');
        },
      },
    });
    const error = await failure(firstValueFrom(socket.bootstrap(auth)));
    socket.dispose();
    expect(error).toBeInstanceOf(MissingGlobalError);
    expect((error as MissingGlobalError).globalName).toBe('WebSocket');
    expect((error as MissingGlobalError).message).toMatch(/no global WebSocket.*polyfill/);
    await firstValueFrom(rest.bootstrap(auth));
    await firstValueFrom(rest.destroy(auth));
  });

  it('leaves other errors to the network classification', () => {
    expect(errorFromNetworkFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), {})).toBeInstanceOf(TransportError);
    expect(errorFromNetworkFailure(new ReferenceError('Cannot access x before initialization'), {})).toBeInstanceOf(TransportError);
    expect(errorFromNetworkFailure(new TypeError('TextEncoder is not defined'), {})).toBeInstanceOf(TransportError);
  });

  it('reads the token claims without TextDecoder (jest-environment-jsdom has none)', async () => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${part({ alg: 'HS256' })}.${part({ sub: 'café-client', scope: 'temporary', exp: 1700000000 })}.signature`;
    expect(await without(['TextDecoder'], async () => readTokenClaims(token))).toEqual({ sub: 'café-client', scope: 'temporary', exp: 1700000000 });
  });
});
