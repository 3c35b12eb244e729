// Tokens and client secrets never appear in events, logs, error messages, or any rendering of the
// library's objects, across a whole session with failures, retries and refreshes on both transports.
import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { createSession, memoryCredentialStore, type FetchLike, type Session } from '../../lib';
import { startTestServer, type TestServer } from '../../lib/testing';
import { transportOption } from '../support/transports';

let server: TestServer;
beforeAll(async () => (server = await startTestServer({ tokenLifetimeSeconds: 2 })));
afterAll(() => server.stop());

/** Every token and secret the server hands out, read off the wire by a fetch wrapper. */
const secrets = new Set<string>();
const recording: FetchLike = async (input, init) => {
  const response = await fetch(input, init);
  if (String(input).endsWith('/auth') && response.ok) {
    const body = (await response.clone().json()) as { access_token: string; client_secret: string };
    secrets.add(body.access_token);
    secrets.add(body.client_secret);
  }
  return response;
};

describe('secrets', () => {
  it.each(['rest', 'socket'] as const)('never reach logs, events, errors, states or renderings (%s)', async (transport) => {
    const output: string[] = [];
    const record = (label: string) => (message: string, data?: unknown) => output.push(`${label} ${message} ${JSON.stringify(data)} ${inspect(data, { depth: 10 })}`);
    const session: Session = createSession({
      url: server.url,
      transport: transportOption(transport),
      fetch: recording,
      scope: 'persistent',
      credentials: memoryCredentialStore(),
      retry: { baseDelay: 1 },
      logLevel: 'debug',
      logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    });
    session.events$.subscribe((e) => output.push(JSON.stringify(e), inspect(e, { depth: 10 })));
    session.state$.subscribe((s) => output.push(JSON.stringify(s), inspect(s, { depth: 10 })));
    const collect = (error: unknown) => output.push(String(error), JSON.stringify(error), inspect(error, { depth: 10 }), (error as Error).stack ?? '');

    await firstValueFrom(session.open());
    await firstValueFrom(session.ask('one'));
    server.expireAllTokens(); // forces a reactive refresh over REST, a handshake refresh over a new socket
    server.closeAllSockets(1006);
    server.failNext(2, 503);
    await firstValueFrom(session.ask('two'));
    await firstValueFrom(session.ask('   ')).catch(collect);
    await firstValueFrom(session.store(['/no/such/file.txt'])).catch(collect);
    output.push(inspect(session, { depth: 6 }), String(session.clientId));
    await firstValueFrom(session.destroy());
    await firstValueFrom(session.ask('after')).catch(collect);

    expect(secrets.size).toBeGreaterThanOrEqual(3); // a secret and at least two tokens (the refresh keeps the secret)
    const all = output.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
  });
});
