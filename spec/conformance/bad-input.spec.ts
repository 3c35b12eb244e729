// Bad input gets a clear typed error and never a hang: wrong host, server down, 401, 422, 500,
// a body that fails its codec, a missing file, unsubscribing mid-request.
import { createServer } from 'node:net';
import { firstValueFrom, Subscription } from 'rxjs';
import {
  CancelledError,
  createClient,
  DecodeError,
  DocumentError,
  ServerError,
  KissTimeoutError,
  TransportError,
  type FetchLike,
} from '../../lib';
import { failure, hooks, startTarget, withHooks, type Target } from './target';

let target: Target;
beforeAll(async () => (target = await startTarget()));
afterAll(() => target.stop());

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A fetch that answers 200 with a fixed body, to feed the client bodies no server should send. */
const answering = (body: string): FetchLike => async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });

describe('bad input and broken servers', () => {
  it('fails with TransportError(refused) when the server is down', async () => {
    const client = createClient({ host: '127.0.0.1', port: await closedPort(), secure: false });
    const error = await failure(firstValueFrom(client.authorize({ scope: 'temporary' })));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ reason: 'refused', context: { step: 'authorize' } });
    expect((error as Error).message).toMatch(/Nothing is listening there/);
  });

  it('fails with a TransportError for a host that does not resolve', async () => {
    const client = createClient({ host: 'kiss-stack.invalid', secure: false, allowInsecure: true, timeout: 0 });
    const error = await failure(firstValueFrom(client.authorize({ scope: 'temporary' })));
    expect(error).toBeInstanceOf(TransportError);
    expect(['dns', 'unreachable']).toContain((error as TransportError).reason);
  });

  it('fails with a DecodeError naming the path when a body breaks its codec', async () => {
    const client = createClient({ url: target.url, fetch: answering('{"stack_id": 5, "result": "x", "extras": null}') });
    const auth = await firstValueFrom(target.client().authorize({ scope: 'temporary' }));
    const error = await failure(firstValueFrom(client.bootstrap(auth)));
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toMatchObject({ path: 'stack_id', received: '5', context: { step: 'bootstrap' } });
  });

  it('fails with a DecodeError when answer extras are malformed, or the body is not JSON', async () => {
    const auth = await firstValueFrom(target.client().authorize({ scope: 'temporary' }));
    const badExtras = createClient({ url: target.url, fetch: answering('{"stack_id":"s","result":"a","extras":{"distances":"far"}}') });
    expect(await failure(firstValueFrom(badExtras.ask(auth, 'q')))).toMatchObject({ kind: 'decode', path: 'distances' });
    const html = createClient({ url: target.url, fetch: answering('<html>hello</html>') });
    expect(await failure(firstValueFrom(html.ask(auth, 'q')))).toMatchObject({ kind: 'decode' });
  });

  it('fails with a DocumentError naming a missing file, and sends nothing', async () => {
    const client = target.client();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    target.server?.clearRequests();
    const error = await failure(firstValueFrom(client.store(auth, ['/definitely/not/here/report.pdf'])));
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as DocumentError).fileName).toBe('/definitely/not/here/report.pdf');
    expect((error as Error).message).toMatch(/report\.pdf" does not exist/);
    if (target.server) expect(target.server.requests.filter((r) => r.path === '/documents')).toEqual([]);
  });

  it('aborts the HTTP request when unsubscribed mid-request, emitting nothing', async () => {
    let seenSignal: AbortSignal | undefined;
    const release: Array<() => void> = [];
    const spy: FetchLike = (input, init) => {
      seenSignal = init.signal ?? undefined;
      return new Promise((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        release.push(() => reject(new Error('never released')));
      });
    };
    const client = createClient({ url: target.url, fetch: spy });
    const auth = await firstValueFrom(target.client().authorize({ scope: 'temporary' }));
    const seen: unknown[] = [];
    const sub: Subscription = client.ask(auth, 'slow?').subscribe({ next: (v) => seen.push(v), error: (e) => seen.push(e), complete: () => seen.push('complete') });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenSignal?.aborted).toBe(false);
    sub.unsubscribe();
    expect(seenSignal?.aborted).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
  });

  withHooks(['setLatency', 'waitForRequest'], 'aborts a real in-flight request when unsubscribed (the server sees the request)', async () => {
    const server = hooks(target);
    const client = target.client();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    server.setLatency(60_000);
    try {
      const events: string[] = [];
      const sub = client.ask(auth, 'cancel me').subscribe({ next: () => events.push('next'), error: () => events.push('error') });
      await server.waitForRequest((r) => r.path === '/queries');
      sub.unsubscribe();
      expect(events).toEqual([]);
    } finally {
      server.setLatency(0);
    }
  });

  withHooks(['setLatency', 'waitForRequest'], 'fails with CancelledError when its AbortSignal fires, and KissTimeoutError when too slow', async () => {
    const server = hooks(target);
    const client = target.client();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    server.setLatency(60_000);
    try {
      const controller = new AbortController();
      const cancelled = failure(firstValueFrom(client.ask(auth, 'cancel', { signal: controller.signal })));
      await server.waitForRequest((r) => r.path === '/queries');
      controller.abort();
      expect(await cancelled).toBeInstanceOf(CancelledError);
      const timedOut = await failure(firstValueFrom(client.ask(auth, 'slow', { timeout: 50 })));
      expect(timedOut).toBeInstanceOf(KissTimeoutError);
      expect(timedOut).toMatchObject({ timeoutMs: 50, context: { step: 'ask' } });
    } finally {
      server.setLatency(0);
    }
  });

  it('fails at once with CancelledError when the signal is already aborted', async () => {
    const auth = await firstValueFrom(target.client().authorize({ scope: 'temporary' }));
    const error = await failure(firstValueFrom(target.client().ask(auth, 'q', { signal: AbortSignal.abort() })));
    expect(error).toBeInstanceOf(CancelledError);
  });

  withHooks('failNext', 'reports a 503 with its Retry-After', async () => {
    hooks(target).failNext(1, 503, { retryAfterSeconds: 7 });
    const error = await failure(firstValueFrom(target.client().authorize({ scope: 'temporary' })));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 7000 });
    expect((error as Error).message).toMatch(/retry after a short wait/);
  });

  it('refuses an empty question and a missing authorization without sending anything', async () => {
    const client = target.client();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    expect(await failure(firstValueFrom(client.ask(auth, '  ')))).toMatchObject({ kind: 'misuse' });
    expect(await failure(firstValueFrom(client.ask(undefined as never, 'q')))).toMatchObject({ kind: 'misuse' });
  });

  it("calls a custom fetch as a plain function, as a browser's own fetch requires", async () => {
    // window.fetch throws "Illegal invocation" when called as a method of another object
    const strictFetch: FetchLike = function (this: unknown, input, init) {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
      return fetch(input, init);
    };
    const client = createClient({ url: target.url, fetch: strictFetch });
    await expect(firstValueFrom(client.authorize({ scope: 'temporary' }))).resolves.toMatchObject({ scope: 'temporary' });
  });

  it('is cold: nothing is sent until subscription', async () => {
    let calls = 0;
    const counting: FetchLike = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const client = createClient({ url: target.url, fetch: counting });
    const authorize$ = client.authorize({ scope: 'temporary' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(0);
    await firstValueFrom(authorize$);
    await firstValueFrom(authorize$);
    expect(calls).toBe(2);
  });
});

describe('server options', () => {
  withHooks('pathPrefix', 'works behind a path prefix', async () => {
    const prefixed = await startTarget({ pathPrefix: '/kiss' });
    try {
      expect(prefixed.url).toMatch(/\/kiss$/);
      const client = prefixed.client();
      const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
      await expect(firstValueFrom(client.bootstrap(auth))).resolves.toMatchObject({ message: 'Greetings!' });
      const port = Number(new URL(prefixed.url).port);
      const split = createClient({ host: '127.0.0.1', port, pathPrefix: 'kiss', secure: false });
      await expect(firstValueFrom(split.ask(auth, 'prefixed?'))).resolves.toMatchObject({ stackId: auth.clientId });
    } finally {
      await prefixed.stop();
    }
  });

  withHooks('cors', 'answers CORS preflights when enabled', async () => {
    const cors = await startTarget({ cors: true });
    try {
      const res = await fetch(`${cors.url}/queries`, { method: 'OPTIONS', headers: { Origin: 'http://app.local', 'Access-Control-Request-Method': 'POST' } });
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('access-control-allow-origin')).toBeTruthy();
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    } finally {
      await cors.stop();
    }
  });
});
