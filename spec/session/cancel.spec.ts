// A cancel-safe lifecycle: unsubscribing open() or openSession, or calling close(), at any moment
// stops the work in flight, leaves the session in a state whose next step is clear, closes on the
// server a temporary client /auth created, and leaves no timer or socket behind. The streams of a
// session complete when it ends.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { CancelledError, createSession, openSession, type Session, type SessionOptions, type SessionStatus } from '../../lib';
import { startTestServer, type TestServer } from '../../lib/testing';
import { eventually } from '../support/eventually';
import { failure } from '../support/failure';
import { transportOption } from '../support/transports';

let server: TestServer;
beforeAll(async () => (server = await startTestServer({ latencyMs: 20 })));
afterAll(() => server.stop());

const activeTemporary = () => server.clients.filter((c) => c.scope === 'temporary' && c.active).length;
/** Every HTTP request the server saw is answered (so every /auth has created its client), and none is left active. */
const untilNoActiveTemporary = () =>
  eventually(
    () => server.requests.every((r) => r.transport !== 'http' || r.status !== undefined) && activeTemporary() === 0,
    `every request answered and no active temporary client (${activeTemporary()} left)`,
    10_000,
  );

/** A request of `step` has reached the server (and, with the latency, is not answered yet). */
function arrived(step: 'authorize' | 'bootstrap', transport: 'rest' | 'socket', after: number) {
  return server.waitForRequest(
    (r, i = server.requests.indexOf(r)) =>
      i >= after && (step === 'authorize' ? r.path === '/auth' : transport === 'rest' ? r.path === '/sessions' : r.event === 'on_init'),
  );
}

describe.each(['rest', 'socket'] as const)('cancelling an open session over %s', (transport) => {
  const options: SessionOptions = { url: '', transport: transportOption(transport), retry: { baseDelay: 2 } };
  beforeEach(() => (options.url = server.url));

  it.each(['authorize', 'bootstrap'] as const)(
    'unsubscribing openSession during %s, 50 times, leaves no active temporary client and every session closed',
    async (step) => {
      await untilNoActiveTemporary();
      const clientsBefore = server.clients.length;
      for (let i = 0; i < 50; i++) {
        const after = server.requests.length;
        let opened: Session | undefined;
        const subscription = openSession(options).subscribe((s) => (opened = s));
        await arrived(step, transport, after);
        subscription.unsubscribe();
        expect(opened).toBeUndefined(); // it never got as far as emitting
      }
      await untilNoActiveTemporary();
      // Each of the 50 /auth requests created a client on the server, and each was closed.
      expect(server.clients.length - clientsBefore).toBe(50);
    },
  );

  it('unsubscribing open() during bootstrap returns the session to idle; it opens again', async () => {
    const session = createSession(options);
    const statuses: SessionStatus[] = [];
    session.state$.subscribe((s) => statuses.push(s.status));
    const after = server.requests.length;
    const subscription = session.open().subscribe();
    await arrived('bootstrap', transport, after);
    subscription.unsubscribe();
    expect(session.state.status).toBe('idle');
    expect(session.clientId).toBeUndefined();
    await firstValueFrom(session.open());
    expect(session.state.status).toBe('ready');
    expect((await firstValueFrom(session.ask('still there?'))).text).toBe('Answer to "still there?"');
    await firstValueFrom(session.destroy());
    expect(statuses).toEqual(['idle', 'authorizing', 'authorized', 'bootstrapping', 'idle', 'authorizing', 'authorized', 'bootstrapping', 'ready', 'busy', 'ready', 'destroying', 'destroyed']);
    await untilNoActiveTemporary();
  });

  it('close() during authorize fails open() with a CancelledError and ends the session closed', async () => {
    const session = createSession(options);
    const after = server.requests.length;
    const opening = firstValueFrom(session.open());
    await arrived('authorize', transport, after);
    session.close();
    const error = await failure(opening);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toMatch(/closed while it was opening/);
    expect(session.state.status).toBe('closed');
    expect(await failure(firstValueFrom(session.open()))).toMatchObject({ kind: 'misuse', message: expect.stringMatching(/was closed/) });
    await untilNoActiveTemporary();
  });
});

describe('the streams of a session complete when it ends', () => {
  const collect = (session: Session) => ({
    states: lastValueFrom(session.state$.pipe(toArray())),
    events: lastValueFrom(session.events$.pipe(toArray())),
    answers: lastValueFrom(session.answers$.pipe(toArray())),
  });

  it('after destroy', async () => {
    const session = createSession({ url: server.url });
    const streams = collect(session);
    await firstValueFrom(session.open());
    await firstValueFrom(session.ask('one'));
    await firstValueFrom(session.destroy());
    expect((await streams.states).at(-1)?.status).toBe('destroyed');
    expect((await streams.events).some((e) => e.type === 'request-answered')).toBe(true);
    expect((await streams.answers).map((a) => a.text)).toEqual(['Answer to "one"']);
    // a late subscriber still sees the final state
    expect((await lastValueFrom(session.state$.pipe(toArray()))).map((s) => s.status)).toEqual(['destroyed']);
  });

  it('after close', async () => {
    const session = createSession({ url: server.url });
    const streams = collect(session);
    session.close();
    expect((await streams.states).map((s) => s.status)).toEqual(['idle', 'closed']);
    await streams.events;
    await streams.answers;
  });

  it('after a failure', async () => {
    const session = createSession({ url: server.url, retry: { maxAttempts: 1 } });
    const streams = collect(session);
    server.failNext(1, 500);
    await failure(firstValueFrom(session.open()));
    expect((await streams.states).at(-1)?.status).toBe('failed');
    await streams.events;
    await streams.answers;
  });
});

describe('a Node process that gives up an open session', () => {
  let script: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiss-cancel-'));
    script = join(dir, 'cancel-open.js');
    await build({ entryPoints: [join(__dirname, 'fixtures/cancel-open.ts')], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile: script, logLevel: 'silent' });
  });

  it.each([
    ['authorize', 'rest'],
    ['bootstrap', 'rest'],
    ['authorize', 'socket'],
    ['bootstrap', 'socket'],
  ] as const)('exits by itself after unsubscribing during %s over %s, leaving no active temporary client', async (step, transport) => {
    await untilNoActiveTemporary();
    const clientsBefore = server.clients.length;
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, NODE_PATH: join(__dirname, '../../node_modules'), KISS_URL: server.url, STEP: step, TRANSPORT: transport, ROUNDS: '10' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // The deadline only turns a process that never exits into a clear failure.
    const code = await new Promise<number | null>((resolve) => {
      const deadline = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (exitCode) => {
        clearTimeout(deadline);
        resolve(exitCode);
      });
    });
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'cancelled 10 opens' });
    expect(server.clients.length - clientsBefore).toBe(10);
    expect(activeTemporary()).toBe(0);
  });
});
