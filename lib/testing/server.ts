/**
 * Starting and stopping the embedded test server, and the HTTP side of routing: the fail hook,
 * CORS, the path prefix, then the REST routes; `/ws` upgrades go to the socket hub. After a 500
 * the server's code did not handle, the connection is closed (closing-connections.ts).
 * @module
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ClientRegistry, type TestClientInfo } from './clients.js';
import { ServerClock } from './clock.js';
import { ClosingConnections } from './closing-connections.js';
import type { ServerContext } from './context.js';
import { Faults, type ForcedFailure } from './faults.js';
import { SocketHub } from './handshake.js';
import { parseBody, readBody } from './http-body.js';
import { corsHeaders, detailReply, internalErrorReply, preflightReply, writeReply, type Reply } from './http-replies.js';
import { resolveOptions, type TestServerOptions } from './options.js';
import { RequestLog, requestDetails, type SeenRequest } from './request-log.js';
import { answerRest } from './rest-routes.js';
import { TokenIssuer } from './tokens.js';
import type { AnswerScript } from './answers.js';

/**
 * A running embedded test server: a real HTTP + WebSocket server on loopback that behaves like the
 * KISS AI Stack server (PROTOCOL.md), with hooks to observe it and inject faults.
 * @category Testing
 */
export interface TestServer {
  /** `http://127.0.0.1:PORT` + pathPrefix. */
  readonly url: string;
  /** `ws://127.0.0.1:PORT` + pathPrefix + `/ws`. */
  readonly wsUrl: string;
  /** The loopback address it listens on: always `127.0.0.1`. */
  readonly host: string;
  /** The port it listens on (the `port` option, or the free one picked for 0). */
  readonly port: number;
  /**
   * Every HTTP request (the /ws handshake as GET /ws) and socket frame (method 'FRAME'), in order of
   * arrival. Not a request reset on a connection closed after a 500: the server never reads it.
   */
  readonly requests: readonly SeenRequest[];
  /** Empties the request log (waiters already waiting keep waiting for a new match). */
  clearRequests(): void;
  /** Resolves on an already-logged or future match (also when its status is set); rejects after timeoutMs. @default timeoutMs 5000 */
  waitForRequest(predicate: (r: SeenRequest) => boolean, timeoutMs?: number): Promise<SeenRequest>;
  /** Delay in ms before every answer from now on (REST, handshake and each socket frame). */
  setLatency(ms: number): void;
  /**
   * The next n HTTP requests (any route, /auth and the /ws handshake included) answer `status`
   * (default 503) with JSON `{"detail":"<status text>"}`; with retryAfterSeconds, a Retry-After
   * header too. A 500 is the server's own unhandled error: plain text `Internal Server Error`, then
   * the connection is closed as after any such 500 (a keep-alive client reusing it gets a reset).
   * Does not touch socket frames. Calls queue up.
   */
  failNext(n: number, status?: number, options?: { retryAfterSeconds?: number }): void;
  /** The next socket to receive its n-th frame is dropped abruptly (no close frame: 1006) without answering it. Once per call. */
  dropSocketAfter(frames: number): void;
  /** Every token issued so far becomes invalid ("Invalid token"): the signing key is rotated. */
  expireAllTokens(): void;
  /**
   * The next n stores (REST or socket) of a bootstrapped stack answer 200 "Files stored" with extras
   * null and store nothing. (A store before bootstrap answers so on its own, without using one up.)
   */
  failNextStores(n: number): void;
  /** How many sockets are open now. */
  readonly openSockets: number;
  /** Resolves once exactly `count` sockets are open (at once if so already); rejects after timeoutMs. @default timeoutMs 5000 */
  waitForOpenSockets(count: number, timeoutMs?: number): Promise<void>;
  /** How many socket handshakes it has accepted since it started (open or since closed). */
  readonly socketsAccepted: number;
  /** Closes every open socket from the server side. @default code 1000 (1006 drops them without a close frame) */
  closeAllSockets(code?: number): void;
  /**
   * Every client the server created so far, in order of creation, without secrets: a snapshot
   * taken at each read. Handy to count the active temporary clients a test left behind:
   * `server.clients.filter((c) => c.scope === 'temporary' && c.active).length`.
   */
  readonly clients: readonly TestClientInfo[];
  /**
   * Answers the asks from now on with `script` (see {@link AnswerScript}), or with the default
   * echo again when it is undefined: the `answer` option, changed on a running server (an ask
   * already being answered keeps the script it started with).
   *
   * @example
   * ```ts
   * server.setAnswer(({ question }) => (question.includes('leave') ? '25 days' : undefined));
   * // ... asks ...
   * server.setAnswer(undefined); // back to `Answer to "<question>"`
   * ```
   */
  setAnswer(script: AnswerScript | undefined): void;
  /** Closes sockets and server; idempotent; never hangs. */
  stop(): Promise<void>;
}

/**
 * Starts an embedded test server on a free loopback port (a real KISS AI Stack server as far as
 * any client can tell, with deterministic answers and hooks for faults). Stop it when done.
 *
 * @example
 * ```ts
 * import { startTestServer } from 'kiss-ai-stack-rx/testing';
 *
 * let server: TestServer;
 * beforeAll(async () => (server = await startTestServer({ tokenLifetimeSeconds: 2 })));
 * afterAll(() => server.stop());
 *
 * it('rides out a 503', async () => {
 *   server.failNext(1, 503, { retryAfterSeconds: 1 });
 *   // ... drive your code against server.url
 * });
 * ```
 * @category Testing
 */
export async function startTestServer(options?: TestServerOptions): Promise<TestServer> {
  const resolved = resolveOptions(options);
  const clock = new ServerClock(resolved.clockOffsetSeconds);
  const context: ServerContext = {
    options: resolved,
    clients: new ClientRegistry(),
    tokens: new TokenIssuer(resolved.tokenLifetimeSeconds, clock),
    faults: new Faults(resolved.latencyMs),
    log: new RequestLog(),
    clock,
    answers: { script: options?.answer },
  };
  const hub = new SocketHub(context);
  const closing = new ClosingConnections();
  const server = createServer((request, response) => void onRequest(context, closing, request, response));
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    void hub.upgrade(request, socket, head, routePath(request.url, resolved.pathPrefix), pathOnly(request.url));
  });
  server.on('clientError', (_error, socket: Duplex) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}${resolved.pathPrefix}`,
    wsUrl: `ws://127.0.0.1:${port}${resolved.pathPrefix}/ws`,
    host: '127.0.0.1',
    port,
    get requests() {
      return context.log.all;
    },
    clearRequests: () => context.log.clear(),
    waitForRequest: (predicate, timeoutMs) => context.log.waitFor(predicate, timeoutMs),
    setLatency: (ms) => void (context.faults.latencyMs = Math.max(0, ms)),
    failNext: (n, status = 503, failOptions) => context.faults.failNext(n, status, failOptions?.retryAfterSeconds),
    dropSocketAfter: (frames) => context.faults.dropSocketAfter(frames),
    expireAllTokens: () => context.tokens.rotateKey(),
    failNextStores: (n) => context.faults.failNextStores(n),
    get openSockets() {
      return hub.open;
    },
    waitForOpenSockets: (count, timeoutMs) => hub.waitForOpen(count, timeoutMs),
    get socketsAccepted() {
      return hub.accepted;
    },
    closeAllSockets: (code = 1000) => hub.closeAll(code),
    get clients() {
      return context.clients.snapshot();
    },
    setAnswer: (script) => void (context.answers.script = script),
    stop: () => (stopping ??= stop(server, hub, context)),
  };
}

async function stop(server: Server, hub: SocketHub, context: ServerContext): Promise<void> {
  hub.stop();
  context.faults.releaseDelays();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  context.log.rejectAll('the test server stopped');
}

async function onRequest(context: ServerContext, closing: ClosingConnections, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (closing.resetIfClosing(request.socket)) return;
  const { options } = context;
  const path = routePath(request.url, options.pathPrefix);
  const method = request.method ?? 'GET';
  const entry = context.log.record({ transport: 'http', method, path: path ?? pathOnly(request.url), at: Date.now() });
  const latency = context.faults.latencyMs;
  const failure = context.faults.takeHttpFailure();
  let reply: Reply;
  try {
    const bytes = await readBody(request);
    const body = parseBody(bytes, request.headers['content-type']);
    if (method === 'POST' && body.ok) context.log.describe(entry, requestDetails(LOGGED_ROUTES.get(path ?? ''), body.value));
    await context.faults.delay(latency);
    if (failure) reply = failureReply(failure);
    else if (method === 'OPTIONS' && options.cors) reply = preflightReply();
    else if (path === undefined) reply = detailReply(404, 'Not Found');
    else {
      reply = await answerRest(context, {
        method,
        path,
        rawQuery: rawQueryOf(request.url),
        origin: `http://${request.headers.host ?? `127.0.0.1:${request.socket.localPort ?? ''}`}${options.pathPrefix}`,
        authorization: request.headers.authorization,
        body,
        onAnswerError: (error) => context.log.describe(entry, { answerError: error }),
      });
    }
  } catch {
    reply = internalErrorReply();
  }
  writeReply(response, reply, context.clock.httpDate(), options.cors ? corsHeaders(request) : {});
  if (reply.closesConnection) closing.closeAfter(response);
  context.log.settle(entry, reply.status);
}

/** The routes whose requests the log describes (see {@link requestDetails}). */
const LOGGED_ROUTES = new Map<string, 'ask' | 'store'>([
  ['/queries', 'ask'],
  ['/documents', 'store'],
]);

function failureReply({ status, retryAfterSeconds }: ForcedFailure): Reply {
  const headers = retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(retryAfterSeconds) };
  return status === 500 ? internalErrorReply(headers) : detailReply(status, STATUS_CODES[status] ?? 'Error', headers);
}

/** The path without query string and without the prefix, percent-decoded; undefined when outside the prefix. */
function routePath(rawUrl: string | undefined, prefix: string): string | undefined {
  const path = pathOnly(rawUrl);
  if (prefix === '') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

/** The percent-decoded path (as the ASGI scope carries it), without the query string. */
function pathOnly(rawUrl: string | undefined): string {
  const raw = (rawUrl ?? '/').split('?')[0] || '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function rawQueryOf(rawUrl: string | undefined): string {
  const at = (rawUrl ?? '').indexOf('?');
  return at < 0 ? '' : (rawUrl ?? '').slice(at + 1);
}
