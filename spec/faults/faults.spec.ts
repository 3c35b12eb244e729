// The fault suite: hostile HTTP and WebSocket servers, one fault per row, on each transport where it
// applies. Every row runs a small workload (asks with distinct questions, a store where relevant)
// with a hang deadline per call, checks that each outcome is the typed error a careful user
// expects, and keeps five counts that must all be 0: hangs, misroutes (a success whose answer is
// not `Answer to "<its own question>"`), duplicate stores, crashes (unhandledRejection /
// uncaughtException) and handles left open. A table of every row is printed at the end.
//
// The expectations are the client's rules, not what it does today: a failing row is work to do.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import type { Observable } from 'rxjs';
import {
  type Authorization,
  createClient,
  createSession,
  HttpError,
  KissError,
  type KissClient,
  type Session,
  SessionMisuseError,
  UnauthorizedError,
  ValidationError,
} from '../../lib';
import { SocketClosedError } from '../../lib/socket';
import { closedPort, type HostileRequest, type HttpAction } from './hostile-http';
import { answerFrame, type HostileSocket, type HostileWs, type ReceivedFrame, type WsBehavior } from './hostile-ws';
import {
  type AskOutcome,
  crashLog,
  installCrashListeners,
  type Outcome,
  removeCrashListeners,
  Run,
  showError,
  sleep,
  type Tally,
  within,
} from './run';
import { transportOption } from '../support/transports';

jest.setTimeout(30_000);

type Lane = 'rest' | 'socket' | 'n/a';

interface Row {
  fault: string;
  lanes: Lane[];
  body: (run: Run, lane: Lane) => Promise<void>;
}

interface RowResult extends Tally {
  fault: string;
  lane: Lane;
  passed: boolean;
  problems: string[];
}

const rows: Row[] = [];
const results: RowResult[] = [];
const row = (fault: string, lanes: Lane[], body: Row['body']) => rows.push({ fault, lanes, body });
const BOTH: Lane[] = ['rest', 'socket'];

// ——— settings: tiny delays, so the suite runs in seconds ———

const SOCKET = { reconnectDelay: 5, maxReconnectDelay: 40, reconnectAttempts: 3, idleTimeout: 200, pingInterval: 0 };
const RETRY = { maxAttempts: 4, baseDelay: 5, maxDelay: 100, jitter: false };

// ——— predicates over outcomes ———

type Check = (o: Outcome) => boolean;
const answered = (question: string): Check => (o) => o.status === 'ok' && (o.value as { text?: unknown })?.text === `Answer to "${question}"`;
const succeeded: Check = (o) => o.status === 'ok';
const failed = (test: (e: any) => boolean): Check => (o) => o.status === 'error' && test(o.error);
const kissError = (kind: string, fields: Record<string, unknown> = {}): Check =>
  failed((e) => e instanceof KissError && e.kind === kind && Object.entries(fields).every(([k, v]) => (e as any)[k] === v));
const transportError = (reason: string) => kissError('transport', { reason });
const timeoutError = kissError('timeout');
const decodeError = kissError('decode');
const misuse = (pattern?: RegExp): Check => failed((e) => e instanceof SessionMisuseError && (!pattern || pattern.test(e.message)));
const withStatus = (status: number): Check => failed((e) => e instanceof HttpError && e.status === status);
const socketClosed = (...closures: string[]): Check => failed((e) => e instanceof SocketClosedError && closures.includes(String(e.closure)));
const orderLostStore: Check = failed(
  (e) => e instanceof SocketClosedError && String(e.closure) === 'order-lost' && /\bmay\b/i.test(e.message) && /\bstored\b/i.test(e.message),
);
const anyOf = (...checks: Check[]): Check => (o) => checks.some((c) => c(o));

// ——— workloads ———

function clientFor(run: Run, lane: Lane, url: string, extra: Record<string, unknown> = {}): KissClient {
  return run.client({ url, transport: transportOption(lane === 'socket' ? 'socket' : 'rest'), ...extra, socket: { ...SOCKET, ...((extra.socket as object) ?? {}) } });
}

function sessionFor(run: Run, lane: Lane, url: string, extra: Record<string, unknown> = {}): Session {
  return run.session({
    url,
    transport: transportOption(lane === 'socket' ? 'socket' : 'rest'),
    retry: RETRY,
    ...extra,
    socket: { ...SOCKET, ...((extra.socket as object) ?? {}) },
  });
}

/** A token from a (happy) hostile server, over REST. */
async function authorizeOn(run: Run, url: string): Promise<Authorization> {
  const outcome = await run.outcome(run.client({ url }).authorize({ scope: 'temporary' }));
  if (outcome.status !== 'ok') throw new Error(`could not authorize on the hostile server: ${showError((outcome as { error?: unknown }).error)}`);
  return outcome.value;
}

interface Work {
  questions: string[];
  doc: string;
  asks: AskOutcome[];
  store: Outcome | undefined;
}

/** `asks` asks with distinct questions and (unless `store: false`) one store, all in flight at once. */
async function clientWork(
  run: Run,
  client: KissClient,
  auth: Authorization,
  options: { asks?: number; store?: boolean; timeout?: number } = {},
): Promise<Work> {
  const questions = Array.from({ length: options.asks ?? 3 }, (_, i) => run.name(`question ${i + 1}`));
  const doc = run.docName();
  const callOptions = options.timeout === undefined ? undefined : { timeout: options.timeout };
  const asks = questions.map((q) => run.ask(client.ask(auth, q, callOptions), q));
  const store = options.store === false ? undefined : run.outcome(client.store(auth, { name: doc, data: `contents of ${doc}` }, callOptions));
  return { questions, doc, asks: await Promise.all(asks), store: await store };
}

/** Opens the session, then asks and stores at once. `opened` is the open's outcome. */
async function sessionWork(
  run: Run,
  session: Session,
  options: { asks?: number; store?: boolean; timeout?: number } = {},
): Promise<Work & { opened: Outcome }> {
  const opened = await run.outcome(session.open(options.timeout === undefined ? undefined : { timeout: options.timeout }));
  const questions = Array.from({ length: options.asks ?? 3 }, (_, i) => run.name(`question ${i + 1}`));
  const doc = run.docName();
  if (opened.status !== 'ok') return { opened, questions, doc, asks: [], store: undefined };
  const callOptions = options.timeout === undefined ? undefined : { timeout: options.timeout };
  const asks = questions.map((q) => run.ask(session.ask(q, callOptions), q));
  const store = options.store === false ? undefined : run.outcome(session.store({ name: doc, data: `contents of ${doc}` }, callOptions));
  return { opened, questions, doc, asks: await Promise.all(asks), store: await store };
}

function expectAsks(run: Run, work: Work, check: (question: string) => Check, expected: string): void {
  if (work.asks.length === 0) run.check(false, `no ask ran (expected ${expected})`);
  for (const ask of work.asks) run.expect(`ask "${ask.question.split(' (')[0]}"`, ask, check(ask.question), expected);
}

function expectOpened(run: Run, work: { opened: Outcome }): void {
  run.expect('open', work.opened, succeeded, 'the session to open');
}

/** The REST paths a step uses. */
const STACK_PATHS = ['/queries', '/documents'];
const isStackCall = (r: HostileRequest) => !r.upgrade && STACK_PATHS.includes(r.path);

// ——— network failures ———

row('connection refused', BOTH, async (run, lane) => {
  const good = await run.http();
  const auth = await authorizeOn(run, good.url);
  const url = `http://127.0.0.1:${await closedPort()}`;
  const client = clientFor(run, lane, url);
  run.expect('authorize', await run.outcome(client.authorize({ scope: 'temporary' })), transportError('refused'), 'TransportError(reason=refused)');
  const work = await clientWork(run, client, auth);
  expectAsks(run, work, () => transportError('refused'), 'TransportError(reason=refused)');
  run.expect('store', work.store, transportError('refused'), 'TransportError(reason=refused)');
});

row('DNS failure (nonexistent.invalid)', BOTH, async (run, lane) => {
  const good = await run.http();
  const auth = await authorizeOn(run, good.url);
  // Plain http to a remote host needs the opt-in; the lookup is what this row is about.
  const client = clientFor(run, lane, 'http://nonexistent.invalid:8080', { allowInsecure: true });
  run.expect('authorize', await run.outcome(client.authorize({ scope: 'temporary' })), transportError('dns'), 'TransportError(reason=dns)');
  const work = await clientWork(run, client, auth);
  expectAsks(run, work, () => transportError('dns'), 'TransportError(reason=dns)');
  run.expect('store', work.store, transportError('dns'), 'TransportError(reason=dns)');
});

/** REST: the fault hits asks and stores. Socket: it hits `POST /auth`, the REST call every socket client makes. */
async function restFault(run: Run, lane: Lane, action: (r: HostileRequest) => HttpAction | undefined, expected: Check, description: string, timeout?: number) {
  if (lane === 'rest') {
    const server = await run.ws({ fault: (r) => (isStackCall(r) ? action(r) : undefined) });
    const auth = await authorizeOn(run, server.url);
    const work = await clientWork(run, clientFor(run, lane, server.url), auth, { timeout });
    expectAsks(run, work, () => expected, description);
    run.expect('store', work.store, expected, description);
    return server;
  }
  const server = await run.ws({ fault: (r) => (r.path === '/auth' ? action(r) : undefined) });
  const client = clientFor(run, lane, server.url);
  run.expect('authorize', await run.outcome(client.authorize({ scope: 'temporary' }, timeout ? { timeout } : undefined)), expected, description);
  return server;
}

row('stall before response headers', BOTH, async (run, lane) => {
  await restFault(run, lane, () => ({ kind: 'stall' }), timeoutError, 'KissTimeoutError', 300);
});

row('stall mid-body', BOTH, async (run, lane) => {
  const server = await restFault(run, lane, () => ({ kind: 'stall-mid-body', handle: true }), timeoutError, 'KissTimeoutError', 300);
  run.check(server.http.duplicateStores === 0, 'a store was stored twice');
});

row('reset before any byte, once per request (session)', BOTH, async (run, lane) => {
  // Every request on a fresh connection (Connection: close), so the reset is never "a stale pooled connection".
  const server = await run.ws({
    closeEveryConnection: true,
    fault: (r) => ((lane === 'rest' ? isStackCall(r) : r.upgrade) && r.nth === 1 ? { kind: 'reset' } : undefined),
  });
  const work = await sessionWork(run, sessionFor(run, lane, server.url));
  expectOpened(run, work);
  expectAsks(run, work, answered, 'its own answer (asks are retried after a reset)');
  if (lane === 'rest') {
    run.expect('store', work.store, transportError('reset'), 'TransportError(reason=reset): it may have arrived, so it is not resent');
    run.check((server.http.counts.storesReceived.get(work.doc) ?? 0) === 1, `the store was sent ${server.http.counts.storesReceived.get(work.doc) ?? 0} times, expected once`);
  } else {
    run.expect('store', work.store, succeeded, 'stored (the reset handshake carried nothing)');
  }
});

row('reset before any byte, always (client)', BOTH, async (run, lane) => {
  const server = await run.ws({ closeEveryConnection: true, fault: (r) => ((lane === 'rest' ? isStackCall(r) : r.upgrade) ? { kind: 'reset' } : undefined) });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, lane, server.url), auth);
  expectAsks(run, work, () => transportError('reset'), 'TransportError(reason=reset)');
  run.expect('store', work.store, transportError('reset'), 'TransportError(reason=reset)');
});

row('reset after headers, once per request (session)', BOTH, async (run, lane) => {
  const server = await run.ws({
    fault: (r) => (lane === 'rest' && isStackCall(r) && r.nth === 1 ? { kind: 'reset-after-headers', handle: true } : undefined),
    // Socket: the handshake completes (the 101 headers), then the connection is reset at once.
    behavior: (index) => (lane === 'socket' && index === 1 ? { onOpen: (s) => s.close(1006) } : {}),
  });
  const work = await sessionWork(run, sessionFor(run, lane, server.url));
  expectOpened(run, work);
  expectAsks(run, work, answered, 'its own answer (asks are retried)');
  if (lane === 'rest') {
    run.expect('store', work.store, transportError('reset'), 'TransportError(reason=reset), not resent');
    run.check(server.http.counts.stored.get(work.doc) === 1, `stored ${server.http.counts.stored.get(work.doc) ?? 0} times, expected exactly once`);
  } else {
    run.expect('store', work.store, anyOf(succeeded, socketClosed('dropped')), 'stored, or SocketClosedError(dropped)');
  }
});

// ——— bodies that are not answers ———

row('bad JSON with 200', BOTH, async (run, lane) => {
  const bad: HttpAction = { kind: 'respond', status: 200, body: '{"stack_id": "x", "result": "Answer to', headers: { 'content-type': 'application/json' } };
  await restFault(run, lane, () => bad, decodeError, 'DecodeError');
});

row('wrong-shape JSON with 200', BOTH, async (run, lane) => {
  const shape = (r: HostileRequest): HttpAction => ({
    kind: 'respond',
    status: 200,
    body:
      r.path === '/queries'
        ? { stack_id: 7, answer: `Answer to "${String((r.body as { query?: unknown })?.query)}"` }
        : r.path === '/documents'
          ? { stack_id: 'x', result: 'Files stored', extras: { documents: 'not a list' } }
          : { token: 'not-an-authorization' },
  });
  await restFault(run, lane, shape, decodeError, 'DecodeError');
});

row('answer with "result": null (200)', BOTH, async (run, lane) => {
  const nullAnswer = (q: string) => ({ stack_id: 'x', result: null, extras: { query: q, metadata: null, distances: null, supporting_documents: null } });
  const server = await run.ws({
    fault: (r) => (r.path === '/queries' ? { kind: 'respond', status: 200, body: nullAnswer(String((r.body as { query?: unknown })?.query)) } : undefined),
    behavior: {
      onFrame: (frame, s) => s.send(frame.query !== undefined ? { event: 'on_query', result: nullAnswer(frame.query) } : s.reply(frame)),
    },
  });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, lane, server.url), auth, { store: false });
  expectAsks(run, work, () => decodeError, 'DecodeError (an ask answered with no text is not an answer)');
});

row('huge 200 body (50 MB of garbage)', BOTH, async (run, lane) => {
  const huge: HttpAction = { kind: 'huge', bytes: 50 * 1024 * 1024 };
  const short = failed((e) => e instanceof KissError && e.kind === 'decode' && e.message.length < 2000 && inspect(e).length < 20_000);
  if (lane === 'rest') {
    const server = await run.ws({ fault: (r) => (r.path === '/queries' ? huge : undefined) });
    const auth = await authorizeOn(run, server.url);
    const work = await clientWork(run, clientFor(run, lane, server.url), auth, { asks: 1, store: false });
    expectAsks(run, work, () => short, 'DecodeError with a short message');
  } else {
    const server = await run.ws({ fault: (r) => (r.path === '/auth' ? huge : undefined) });
    run.expect('authorize', await run.outcome(clientFor(run, lane, server.url).authorize({ scope: 'temporary' })), short, 'DecodeError with a short message');
  }
});

// ——— redirects ———

row('307/308 same-origin to the same path', BOTH, async (run, lane) => {
  // Asks and authorize get a 307, the store a 308: both keep the method and body.
  const redirect = (r: HostileRequest): HttpAction | undefined =>
    r.nth === 1 ? { kind: 'respond', status: r.path === '/documents' ? 308 : 307, body: '', headers: { location: r.url } } : undefined;
  const server = await run.ws({ fault: (r) => ((lane === 'rest' ? isStackCall(r) : r.path === '/auth') ? redirect(r) : undefined) });
  const client = clientFor(run, lane, server.url);
  const auth = await run.outcome(client.authorize({ scope: 'temporary' }));
  run.expect('authorize', auth, succeeded, 'an authorization (a same-origin redirect is followed)');
  if (auth.status !== 'ok') return;
  const work = await clientWork(run, client, auth.value);
  expectAsks(run, work, answered, 'its own answer (a same-origin 307 is followed)');
  run.expect('store', work.store, succeeded, 'stored once (a same-origin 308 is followed)');
  run.check((server.http.counts.stored.get(work.doc) ?? 0) <= 1, 'stored twice');
});

row('307 on POST /auth to another origin', BOTH, async (run, lane) => {
  const other = await run.http();
  const server = await run.ws({ fault: (r) => (r.path === '/auth' ? { kind: 'respond', status: 307, body: '', headers: { location: `${other.url}/auth` } } : undefined) });
  const outcome = await run.outcome(clientFor(run, lane, server.url).authorize({ scope: 'temporary' }));
  run.expect('authorize', outcome, withStatus(307), 'HttpError(status=307): a redirect to another origin is never followed');
  run.check(other.totalRequests === 0 && other.counts.connections === 0, `the other origin received ${other.totalRequests} request(s) on ${other.counts.connections} connection(s)`);
});

row('307 on an ask to another port on the same host', BOTH, async (run, lane) => {
  const other = await run.http();
  const elsewhere = lane === 'rest' ? `${other.url}/queries` : `ws://127.0.0.1:${other.port}/ws`;
  const server = await run.ws({
    fault: (r) => ((lane === 'rest' ? r.path === '/queries' : r.upgrade) ? { kind: 'respond', status: 307, body: '', headers: { location: elsewhere } } : undefined),
  });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, lane, server.url), auth, { store: false });
  expectAsks(run, work, () => withStatus(307), 'HttpError(status=307), not followed');
  run.check(other.counts.connections === 0, `the other port received ${other.counts.connections} connection(s), ${other.counts.bearers} bearer(s)`);
});

row('307 on an ask to another host name of the same server', ['rest'], async (run) => {
  // localhost is another origin than 127.0.0.1 even on the same port: a followed redirect would be seen twice here.
  const server = await run.ws({
    fault: (r) => (r.path === '/queries' && r.headers.host?.startsWith('127.0.0.1') ? { kind: 'respond', status: 307, body: '', headers: { location: `http://localhost:${r.headers.host.split(':')[1]}/queries` } } : undefined),
  });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, 'rest', server.url), auth, { store: false });
  expectAsks(run, work, () => withStatus(307), 'HttpError(status=307), not followed');
  for (const q of work.questions) {
    const n = server.http.counts.questions.get(q) ?? 0;
    run.check(n === 1, `"${q}" reached the server ${n} times; once expected (the redirect must not be followed)`);
  }
});

row('redirect loop', BOTH, async (run, lane) => {
  const loop = (r: HostileRequest): HttpAction => ({ kind: 'respond', status: 307, body: '', headers: { location: r.url } });
  const namesLoop = failed((e) => e instanceof HttpError && /redirect/i.test(e.message) && /loop/i.test(e.message));
  if (lane === 'rest') {
    const server = await run.ws({ fault: (r) => (r.path === '/queries' ? loop(r) : undefined) });
    const auth = await authorizeOn(run, server.url);
    const work = await clientWork(run, clientFor(run, lane, server.url), auth, { store: false });
    expectAsks(run, work, () => namesLoop, 'an HttpError naming the redirect loop');
    for (const q of work.questions) {
      const n = server.http.counts.questions.get(q) ?? 0;
      run.check(n <= 6, `"${q}" was requested ${n} times, at most 6 allowed`);
    }
  } else {
    const server = await run.ws({ fault: (r) => (r.path === '/auth' ? loop(r) : undefined) });
    run.expect('authorize', await run.outcome(clientFor(run, lane, server.url).authorize({ scope: 'temporary' })), namesLoop, 'an HttpError naming the redirect loop');
    const n = server.http.requestsTo('POST /auth');
    run.check(n <= 6, `POST /auth was requested ${n} times, at most 6 allowed`);
  }
});

// ——— statuses worth retrying, and those not ———

/**
 * A status once per request of every step, then success, through a session. REST: every path.
 * Socket: `/auth`, the handshake, and the first frame of each request (an error frame).
 */
async function onceThenSuccess(run: Run, lane: Lane, status: number, headers: () => Record<string, string>) {
  const body = { detail: status === 429 ? 'Too Many Requests' : 'Service Unavailable' };
  const seen = new Set<string>();
  const server = await run.ws({
    fault: (r) => (r.nth === 1 ? { kind: 'respond', status, body, headers: headers() } : undefined),
    behavior: {
      onFrame(frame, s) {
        const key = `${frame.event}:${frame.query ?? frame.names.join(',')}`;
        if (seen.has(key)) return s.send(s.reply(frame));
        seen.add(key);
        s.send({ error: true, status_code: status, detail: body.detail });
      },
    },
  });
  const work = await sessionWork(run, sessionFor(run, lane, server.url));
  expectOpened(run, work);
  expectAsks(run, work, answered, `its own answer after the ${status} is retried`);
  run.expect('store', work.store, succeeded, `stored after the ${status} is retried`);
  run.check((server.http.counts.stored.get(work.doc) ?? 0) <= 1, 'stored twice');
  const delays = run.activity.filter((a) => a.type === 'retry-scheduled').map((a) => (a as { delayMs: number }).delayMs);
  run.check(delays.every((d) => d <= RETRY.maxDelay), `retry delays ${delays.join(', ')} exceed maxDelay ${RETRY.maxDelay}`);
  // Over REST every refusal carried the header: each wait is Retry-After capped by maxDelay, not the 5 ms backoff.
  if (lane === 'rest' && Object.keys(headers()).length) {
    run.check(delays.length > 0 && delays.every((d) => d >= RETRY.maxDelay / 2), `retry delays ${delays.join(', ') || '(none)'} ignore Retry-After (capped at ${RETRY.maxDelay})`);
  }
}

row('429 with Retry-After seconds, then success', BOTH, (run, lane) => onceThenSuccess(run, lane, 429, () => ({ 'retry-after': '1' })));
row('429 without Retry-After, then success', BOTH, (run, lane) => onceThenSuccess(run, lane, 429, () => ({})));
row('503 with Retry-After as an HTTP date, then success', BOTH, (run, lane) =>
  onceThenSuccess(run, lane, 503, () => ({ 'retry-after': new Date(Date.now() + 3000).toUTCString() })),
);

row('429 forever: the error carries retryAfterMs', BOTH, async (run, lane) => {
  const refuse: HttpAction = { kind: 'respond', status: 429, body: { detail: 'Too Many Requests' }, headers: { 'retry-after': '2' } };
  const server = await run.ws({ fault: (r) => ((lane === 'rest' ? r.path === '/queries' : r.upgrade) ? refuse : undefined) });
  const session = sessionFor(run, lane, server.url, { retry: { ...RETRY, maxAttempts: 2 } });
  const carries = failed((e) => e instanceof KissError && (e as any).status === 429 && (e as any).retryAfterMs === 2000);
  if (lane === 'rest') {
    const work = await sessionWork(run, session, { store: false });
    expectOpened(run, work);
    expectAsks(run, work, () => carries, 'an error with status 429 and retryAfterMs 2000');
    for (const q of work.questions) run.check(server.http.counts.questions.get(q) === 2, `"${q}" was sent ${server.http.counts.questions.get(q) ?? 0} times; 2 expected (429 is retried)`);
  } else {
    const opened = await run.outcome(session.open());
    run.expect('open', opened, carries, 'an error with status 429 and retryAfterMs 2000');
    const handshakes = server.http.requestsTo('GET /ws');
    run.check(handshakes >= 2 && handshakes <= 10, `${handshakes} handshakes; between 2 and 10 expected`);
  }
});

row('503 forever, ask timeout 500 ms covers the retries', BOTH, async (run, lane) => {
  const server = await run.ws({
    fault: (r) => (r.path === '/queries' ? { kind: 'respond', status: 503, body: { detail: 'Service Unavailable' }, headers: { 'retry-after': '1' } } : undefined),
    behavior: { onFrame: (frame, s) => s.send(frame.event === 'on_query' ? { error: true, status_code: 503, detail: 'Service Unavailable' } : s.reply(frame)) },
  });
  // The session's default retry policy (4 attempts, 200 ms doubling, up to 5 s, Retry-After honoured).
  const session = sessionFor(run, lane, server.url, { retry: undefined });
  const opened = await run.outcome(session.open());
  run.expect('open', opened, succeeded, 'the session to open');
  const q = run.name('question');
  const ask = await run.ask(session.ask(q, { timeout: 500 }), q);
  run.expect('ask', ask, timeoutError, 'KissTimeoutError');
  // Each attempt fails at once, so only a deadline for the whole call can end in a KissTimeoutError, and
  // it cuts the retries short: fewer sends than the policy's 4 attempts (over REST, where the first
  // retry waits for Retry-After, 1 s, exactly one).
  const sent = (server.http.counts.questions.get(q) ?? 0) + (server.wsCounts.asks.get(q) ?? 0);
  run.check(lane === 'rest' ? sent === 1 : sent >= 1 && sent < 4, `the question was sent ${sent} times (the timeout is a deadline for the whole call)`);
});

row('502 on an ask once, then success', BOTH, async (run, lane) => {
  const seen = new Set<string>();
  const server = await run.ws({
    fault: (r) => (r.path === '/queries' && r.nth === 1 ? { kind: 'respond', status: 502, body: 'Bad Gateway' } : undefined),
    behavior: {
      onFrame(frame, s) {
        if (frame.query === undefined || seen.has(frame.query)) return s.send(s.reply(frame));
        seen.add(frame.query);
        s.send({ error: true, status_code: 502, detail: 'Bad Gateway' });
      },
    },
  });
  const work = await sessionWork(run, sessionFor(run, lane, server.url), { store: false });
  expectOpened(run, work);
  expectAsks(run, work, answered, 'its own answer (a 502 on an ask is retried)');
});

for (const status of [502, 504]) {
  row(`${status} on a store after the server stored it`, BOTH, async (run, lane) => {
    const detail = status === 502 ? 'Bad Gateway' : 'Gateway Timeout';
    const server = await run.ws({
      fault: (r) => (r.path === '/documents' ? { kind: 'respond', status, body: detail, handle: true } : undefined),
      behavior: {
        onFrame(frame, s) {
          const reply = s.reply(frame); // stored
          s.send(frame.event === 'on_store' ? { error: true, status_code: status, detail } : reply);
        },
      },
    });
    const work = await sessionWork(run, sessionFor(run, lane, server.url), { asks: 1 });
    expectOpened(run, work);
    run.expect('store', work.store, withStatus(status), `ServerError(status=${status}), not resent`);
    const stored = server.http.counts.stored.get(work.doc) ?? 0;
    run.check(stored === 1, `stored ${stored} times; exactly once expected (a ${status} on a store is not retried by default)`);
  });
}

row('500 plain text', BOTH, async (run, lane) => {
  const server = await run.ws({
    fault: (r) => (r.path === '/queries' ? { kind: 'respond', status: 500, body: 'Internal Server Error' } : undefined),
    behavior: { onFrame: (frame, s) => s.send(frame.event === 'on_query' ? { error: true, status_code: 500, detail: 'Internal Server Error' } : s.reply(frame)) },
  });
  const work = await sessionWork(run, sessionFor(run, lane, server.url), { store: false });
  expectOpened(run, work);
  expectAsks(run, work, () => withStatus(500), 'ServerError(status=500), not retried');
  for (const q of work.questions) {
    const sent = lane === 'rest' ? server.http.counts.questions.get(q) : server.wsCounts.asks.get(q);
    run.check(sent === 1, `"${q}" was sent ${sent ?? 0} times; once expected (a 500 is not retried)`);
  }
});

row('401 Invalid token forever', BOTH, async (run, lane) => {
  const server = await run.ws({
    fault: (r) => (r.path === '/queries' ? { kind: 'respond', status: 401, body: { detail: 'Invalid token' } } : undefined),
    behavior: { onFrame: (frame, s) => s.send(frame.event === 'on_query' ? { error: true, status_code: 401, detail: 'Invalid token' } : s.reply(frame)) },
  });
  const work = await sessionWork(run, sessionFor(run, lane, server.url), { store: false });
  expectOpened(run, work);
  expectAsks(run, work, () => failed((e) => e instanceof UnauthorizedError && e.reason === 'invalid-token'), 'UnauthorizedError(reason=invalid-token)');
  for (const q of work.questions) {
    const sent = lane === 'rest' ? server.http.counts.questions.get(q) : server.wsCounts.asks.get(q);
    run.check((sent ?? 0) <= 2, `"${q}" was sent ${sent} times; at most 2 expected (one refresh, one replay)`);
  }
  const auths = server.http.requestsTo('POST /auth');
  run.check(auths <= 4, `POST /auth ${auths} times; a single-flight refresh expected`);
});

row('403 forever', BOTH, async (run, lane) => {
  const server = await run.ws({
    fault: (r) => (r.path === '/queries' ? { kind: 'respond', status: 403, body: { detail: 'Forbidden' } } : undefined),
    behavior: { onFrame: (frame, s) => s.send(frame.event === 'on_query' ? { error: true, status_code: 403, detail: 'Forbidden' } : s.reply(frame)) },
  });
  const work = await sessionWork(run, sessionFor(run, lane, server.url), { store: false });
  expectOpened(run, work);
  expectAsks(run, work, () => withStatus(403), 'HttpError(status=403), not retried');
  for (const q of work.questions) {
    const sent = lane === 'rest' ? server.http.counts.questions.get(q) : server.wsCounts.asks.get(q);
    run.check(sent === 1, `"${q}" was sent ${sent ?? 0} times; once expected`);
  }
});

row('401 whose detail echoes the request (token and client secret)', BOTH, async (run, lane) => {
  const lines: string[] = [];
  const log = (level: string) => (message: string, data?: unknown) => lines.push(`${level} ${message} ${safeJson(data)} ${inspect(data, { depth: 8 })}`);
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const server = await run.ws({
    fault: (r) => {
      // A refresh carries the client secret: echo the whole body back.
      if (r.path === '/auth' && r.text.includes('client_secret')) return { kind: 'respond', status: 401, body: { detail: `Invalid client_id or client_secret: ${r.text}` } };
      if (r.path === '/queries') return { kind: 'respond', status: 401, body: { detail: `Invalid token: ${r.headers.authorization} for ${r.text}` } };
      return undefined;
    },
    behavior: {
      onFrame(frame, s) {
        if (frame.event !== 'on_query') return s.send(s.reply(frame));
        s.send({ error: true, status_code: 401, detail: `Invalid token ${s.token} (client_secret=${server.http.secretOf(s.clientId)}) for ${frame.text}` });
      },
    },
  });
  const session = sessionFor(run, lane, server.url, { logger, logLevel: 'debug' });
  const work = await sessionWork(run, session, { asks: 1, store: false });
  expectOpened(run, work);
  expectAsks(run, work, () => failed((e) => e instanceof UnauthorizedError), 'UnauthorizedError');
  const secrets = [...server.http.secrets.map((s) => ({ what: 'client secret', s })), ...server.http.tokens.map((s) => ({ what: 'token', s }))];
  run.check(secrets.length >= 2, 'the server issued no secret to look for');
  const error = work.asks[0]?.status === 'error' ? (work.asks[0] as { error: unknown }).error : undefined;
  const renderings: Record<string, string> = {
    message: String((error as Error | undefined)?.message),
    'String()': String(error),
    'JSON.stringify': safeJson(error),
    'util.inspect': inspect(error, { depth: 8 }),
    'log lines (logLevel debug)': lines.join('\n'),
    'events$': safeJson(run.activity),
  };
  for (const [where, text] of Object.entries(renderings)) {
    const leaked = [...new Set(secrets.filter(({ s }) => text.includes(s)).map(({ what }) => what))];
    run.check(leaked.length === 0, `the ${leaked.join(' and the ')} appear${leaked.length === 1 ? 's' : ''} in the ${where}`);
  }
});

// ——— plain http to a host that is not this machine ———

for (const allowInsecure of [false, true]) {
  row(`plain http/ws to a non-loopback host${allowInsecure ? ' with allowInsecure: true' : ''}`, BOTH, async (run, lane) => {
    const url = lane === 'rest' ? 'http://10.255.255.1:9' : 'ws://10.255.255.1:9';
    // Nothing may leave this machine: a fetch and a socket factory that only record the attempt.
    const attempts: string[] = [];
    const fetch = async (target: string) => {
      attempts.push(target);
      throw Object.assign(new Error('connect ECONNREFUSED (spy)'), { code: 'ECONNREFUSED' });
    };
    const webSocketFactory = (target: string) => {
      attempts.push(target);
      throw Object.assign(new Error('connect ECONNREFUSED (spy)'), { code: 'ECONNREFUSED' });
    };
    const refused = misuse(/allowInsecure/);
    const attempted: Check = (o) => o.status !== 'hang' && !misuse()(o);
    const expected = allowInsecure ? attempted : refused;
    const description = allowInsecure ? 'the request to be attempted (anything but a SessionMisuseError)' : 'SessionMisuseError naming allowInsecure, before any request';
    const options = {
      url,
      transport: transportOption(lane === 'socket' ? 'socket' : 'rest'),
      fetch,
      timeout: 300,
      socket: { ...SOCKET, webSocketFactory },
      retry: { ...RETRY, maxAttempts: 1 },
      ...(allowInsecure ? { allowInsecure: true } : {}),
    };
    // createClient may refuse at once (a thrown error), or the call may fail: either is fine.
    const viaClient = await attempt(run, () => {
      const client = createClient(options as never);
      run.adopt(client);
      return client.authorize({ scope: 'temporary' });
    });
    run.expect('createClient + authorize', viaClient, expected, description);
    const viaSession = await attempt(run, () => {
      const session = createSession(options as never);
      run.adopt(session);
      return session.open();
    });
    run.expect('createSession + open', viaSession, expected, description);
    if (allowInsecure) run.check(attempts.length >= 2, `${attempts.length} requests attempted; at least 2 expected`);
    else run.check(attempts.length === 0, `${attempts.length} request(s) attempted before the refusal: ${attempts.join(', ')}`);
  });
}

/** The outcome of making something and calling it, where making it may throw. */
async function attempt<T>(run: Run, make: () => Observable<T>): Promise<Outcome<T>> {
  const started = Date.now();
  let observable: Observable<T>;
  try {
    observable = make();
  } catch (error) {
    return { status: 'error', error, ms: Date.now() - started };
  }
  return run.outcome(observable);
}

// ——— the socket handshake ———

row('ws handshake refused with HTTP 400', ['socket'], async (run, lane) => {
  const server = await run.ws({ fault: (r) => (r.upgrade ? { kind: 'respond', status: 400, body: { detail: 'Bad Request' } } : undefined) });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, lane, server.url), auth);
  expectAsks(run, work, () => withStatus(400), 'HttpError(status=400)');
  run.expect('store', work.store, withStatus(400), 'HttpError(status=400)');
  const handshakes = server.http.requestsTo('GET /ws');
  run.check(handshakes <= SOCKET.reconnectAttempts + 2, `${handshakes} handshakes; at most ${SOCKET.reconnectAttempts + 2} expected`);
});

row('ws handshake 403 forever', ['socket'], async (run, lane) => {
  const server = await run.ws({ fault: (r) => (r.upgrade ? { kind: 'respond', status: 403, body: '' } : undefined) });
  const client = clientFor(run, lane, server.url);
  const auth = await run.outcome(client.authorize({ scope: 'temporary' }));
  if (auth.status !== 'ok') throw new Error('authorize failed');
  const work = await clientWork(run, client, auth.value);
  expectAsks(run, work, () => withStatus(403), 'an HttpError with status 403');
  run.expect('store', work.store, withStatus(403), 'an HttpError with status 403');
  const auths = server.http.requestsTo('POST /auth');
  run.check(auths <= 2, `POST /auth ${auths} times; one authorize and one refresh expected`);
  const handshakes = server.http.requestsTo('GET /ws');
  run.check(handshakes <= 4, `${handshakes} handshakes; at most 4 expected`);
});

for (const [status, header] of [
  [429, () => '1'],
  [503, () => new Date(Date.now() + 2000).toUTCString()],
] as const) {
  row(`ws handshake ${status} with Retry-After, then success`, ['socket'], async (run, lane) => {
    const server = await run.ws({ fault: (r) => (r.upgrade && r.nth === 1 ? { kind: 'respond', status, body: '', headers: { 'retry-after': header() } } : undefined) });
    const work = await sessionWork(run, sessionFor(run, lane, server.url));
    expectOpened(run, work);
    expectAsks(run, work, answered, 'its own answer');
    run.expect('store', work.store, succeeded, 'stored');
  });
}

row('ws handshake stall', ['socket'], async (run, lane) => {
  const server = await run.ws({ fault: (r) => (r.upgrade ? { kind: 'stall' } : undefined) });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, lane, server.url), auth, { timeout: 300 });
  expectAsks(run, work, () => timeoutError, 'KissTimeoutError');
  run.expect('store', work.store, timeoutError, 'KissTimeoutError');
});

// ——— close codes ———

/** Handles the first frame of a socket (a store is stored), then closes with `code` instead of answering. */
const closer = (code: number): WsBehavior => ({
  onFrame(frame, s) {
    if (s.data.closing) return;
    s.data.closing = true;
    s.reply(frame);
    s.close(code);
  },
});

for (const code of [1000, 1001, 1006, 1009, 1011, 4000]) {
  for (const mode of ['once', 'always'] as const) {
    row(`close ${code} ${mode}`, ['socket'], async (run, lane) => {
      const server = await run.ws({ behavior: (index) => (mode === 'always' || index === 1 ? closer(code) : {}) });
      const auth = await authorizeOn(run, server.url);
      const client = clientFor(run, lane, server.url);
      const work = await clientWork(run, client, auth);
      const closures = code === 1000 ? ['server-closed'] : code === 1009 ? ['dropped', 'too-big'] : ['dropped', 'server-closed'];
      const closed = socketClosed(...closures);
      const gaveUp = anyOf(closed, kissError('transport'));
      if (mode === 'once') {
        if (code === 1000) expectAsks(run, work, (q) => anyOf(answered(q), closed), `its own answer or SocketClosedError(${closures})`);
        else expectAsks(run, work, answered, 'its own answer (resent on the next socket)');
      } else {
        expectAsks(run, work, (q) => anyOf(answered(q), gaveUp), `SocketClosedError(${closures})`);
        for (const q of work.questions) {
          const sent = server.wsCounts.asks.get(q) ?? 0;
          run.check(sent <= 3, `"${q}" was sent ${sent} times; at most maxAskAttempts (3) expected`);
        }
      }
      const storeClosed = code === 1009 ? socketClosed('too-big', 'dropped') : closed;
      run.expect('store', work.store, anyOf(succeeded, storeClosed, mode === 'always' ? gaveUp : storeClosed), 'stored, or SocketClosedError (never resent)');
      const next = run.name('follow-up question');
      const followUp = await run.ask(client.ask(auth, next), next);
      run.expect('follow-up ask', followUp, mode === 'once' ? answered(next) : anyOf(answered(next), gaveUp), mode === 'once' ? 'its own answer (the next socket works)' : 'SocketClosedError');
      run.check(server.wsCounts.sockets <= 16, `${server.wsCounts.sockets} sockets opened; reconnects must be bounded`);
    });
  }
}

// ——— frames that break the order ———

/** A socket workload: `asks` asks and a store in flight at once; asks are right or order-lost, never wrong. */
async function orderWork(run: Run, server: HostileWs, options: { asks?: number; strict?: boolean } = {}) {
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, 'socket', server.url), auth, { asks: options.asks ?? 3 });
  if (options.strict) expectAsks(run, work, answered, 'its own answer');
  else expectAsks(run, work, (q) => anyOf(answered(q), socketClosed('order-lost')), "its own answer, or SocketClosedError(closure='order-lost')");
  run.expect('store', work.store, options.strict ? succeeded : anyOf(succeeded, orderLostStore), options.strict ? 'stored' : "stored, or SocketClosedError('order-lost') saying it may or may not have been stored");
  const stored = server.http.counts.stored.get(work.doc) ?? 0;
  run.check(stored <= 1, `stored ${stored} times`);
  return work;
}

row('answers out of order', ['socket'], async (run) => {
  let reversed = 0;
  const server = await run.ws({
    behavior: (index) =>
      index === 1
        ? {
            onFrame(frame, s) {
              const held = (s.data.held ??= []) as object[];
              held.push(s.reply(frame));
              if (held.length === 1) {
                setTimeout(() => {
                  reversed = held.length;
                  held.reverse().forEach((f) => s.send(f));
                }, 40);
              }
            },
          }
        : {},
  });
  await orderWork(run, server);
  run.check(reversed >= 2, `only ${reversed} answer(s) were held to reverse (the row proved nothing)`);
});

row('one unsolicited frame before an answer', ['socket'], async (run) => {
  const server = await run.ws({
    behavior: (index) => ({
      onFrame(frame, s) {
        if (index === 1 && frame.nthOnSocket === 1) s.send(answerFrame(s.clientId, 'a question nobody asked'));
        s.send(s.reply(frame));
      },
    }),
  });
  await orderWork(run, server);
});

row('a garbage (non-JSON) frame before an answer', ['socket'], async (run) => {
  const server = await run.ws({
    behavior: (index) => ({
      onFrame(frame, s) {
        if (index === 1 && frame.nthOnSocket === 1) s.send('this is not JSON {{{');
        s.send(s.reply(frame));
      },
    }),
  });
  await orderWork(run, server);
});

row('a frame naming another event', ['socket'], async (run) => {
  const server = await run.ws({
    behavior: (index) => ({
      onFrame(frame, s) {
        const reply = s.reply(frame) as { event?: string };
        s.send(index === 1 && frame.nthOnSocket === 1 ? { ...reply, event: reply.event === 'on_init' ? 'on_query' : 'on_init' } : reply);
      },
    }),
  });
  await orderWork(run, server);
});

row("a frame whose extras.query names another question", ['socket'], async (run) => {
  const server = await run.ws({
    behavior: (index) => ({
      onFrame(frame, s) {
        const reply = s.reply(frame) as { result: { extras: Record<string, unknown> } };
        if (index === 1 && frame.nthOnSocket === 1 && frame.query !== undefined) {
          s.send({ ...reply, result: { ...reply.result, extras: { ...reply.result.extras, query: 'someone else’s question' } } });
        } else s.send(reply);
      },
    }),
  });
  await orderWork(run, server);
  run.check(server.wsCounts.sockets >= 2, 'the client kept using the socket after an answer named another question (it must close it and resend)');
});

row('a success frame with "error": false', ['socket'], async (run) => {
  const server = await run.ws({ behavior: { onFrame: (frame, s) => s.send({ ...s.reply(frame), error: false }) } });
  await orderWork(run, server, { strict: true });
});

row('an error frame in place of one answer', ['socket'], async (run) => {
  const server = await run.ws({
    behavior: (index) => ({
      onFrame(frame, s) {
        if (index === 1 && frame.nthOnSocket === 1) return s.send({ error: true, status_code: 400, detail: 'Invalid data' });
        s.send(s.reply(frame));
      },
    }),
  });
  const auth = await authorizeOn(run, server.url);
  const client = clientFor(run, 'socket', server.url);
  const [first, ...rest] = await clientWork(run, client, auth, { store: false }).then((w) => w.asks);
  run.expect('first ask', first, failed((e) => e instanceof ValidationError), 'ValidationError (the error frame answers exactly it)');
  for (const ask of rest) run.expect(`ask "${ask.question.split(' (')[0]}"`, ask, answered(ask.question), 'its own answer');
});

row('drop after 2 of 6 pipelined frames', ['socket'], async (run) => {
  const server = await run.ws({
    behavior: (index) => ({
      onFrame(frame, s) {
        if (index !== 1) return s.send(s.reply(frame));
        if (s.data.dropped) return;
        const reply = s.reply(frame); // handled
        if (frame.nthOnSocket <= 2) return s.send(reply);
        s.data.dropped = true;
        s.close(1006);
      },
    }),
  });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, 'socket', server.url), auth, { asks: 5 });
  expectAsks(run, work, answered, 'its own answer (unanswered asks are resent)');
  run.expect('store', work.store, anyOf(succeeded, socketClosed('dropped')), 'stored, or SocketClosedError(dropped), never resent');
});

// ——— late frames ———

row('a late answer on a socket the client is closing (idle)', ['socket'], async (run) => {
  const late = run.name('cancelled question');
  let withheld: object | undefined;
  let closeSeen!: () => void;
  const closing = new Promise<void>((resolve) => (closeSeen = resolve));
  let first: HostileSocket | undefined;
  let release: (() => void) | undefined;
  let lateSent = false;
  const server = await run.ws({
    behavior: (index) =>
      index === 1
        ? {
            onOpen(s) {
              first = s;
              // Hold back the client's close frame, so the socket stays open on our side while we send.
              const raw = (s.ws as unknown as { _socket: import('node:net').Socket })._socket;
              const listeners = raw.listeners('data') as ((chunk: Buffer) => void)[];
              const held: Buffer[] = [];
              raw.removeAllListeners('data');
              raw.on('data', (chunk: Buffer) => {
                if (held.length || (chunk[0]! & 0x0f) === 0x8) {
                  held.push(chunk);
                  closeSeen();
                  return;
                }
                for (const l of listeners) l.call(raw, chunk);
              });
              release = () => {
                raw.removeAllListeners('data');
                for (const l of listeners) raw.on('data', l);
                for (const chunk of held.splice(0)) for (const l of listeners) l.call(raw, chunk);
              };
            },
            onFrame(frame, s) {
              if (frame.query === late) withheld = s.reply(frame);
              else s.send(s.reply(frame));
            },
          }
        : {
            onFrame(frame, s) {
              const queue = (s.data.queue ??= []) as ReceivedFrame[];
              queue.push(frame);
              if (queue.length !== 1) return;
              setTimeout(() => {
                // The late answer goes out on the socket the client is closing, then the real answers here.
                if (withheld && first && first.ws.readyState === 1) {
                  first.ws.send(JSON.stringify(withheld));
                  lateSent = true;
                }
                setTimeout(() => {
                  for (const f of queue.splice(0)) s.send(s.reply(f));
                  s.data.queue = undefined;
                  release?.();
                }, 40);
              }, 20);
            },
          },
  });
  const auth = await authorizeOn(run, server.url);
  const client = clientFor(run, 'socket', server.url, { socket: { idleTimeout: 50 } });
  const cancelled = await run.ask(client.ask(auth, late, { timeout: 40 }), late);
  run.expect('the cancelled ask', cancelled, timeoutError, 'KissTimeoutError');
  const sawClose = await Promise.race([closing.then(() => true), sleep(2000).then(() => false)]);
  run.check(sawClose, 'the client never closed its idle socket');
  const questions = [run.name('question 1'), run.name('question 2')];
  const asks = await Promise.all(questions.map((q) => run.ask(client.ask(auth, q), q)));
  release?.();
  run.check(lateSent, 'the hostile server never got to send the late answer on the closing socket (the row proved nothing)');
  for (const ask of asks) run.expect(`ask "${ask.question.split(' (')[0]}"`, ask, answered(ask.question), 'its own answer (a frame from a socket the client closed is dropped)');
});

row('a late answer arriving first on the next socket', ['socket'], async (run) => {
  const late = run.name('cancelled question');
  let withheld: object | undefined;
  let lateSent = false;
  const server = await run.ws({
    behavior: (index) => ({
      onFrame(frame, s) {
        if (index === 1 && frame.query === late) {
          withheld = s.reply(frame);
          return;
        }
        if (index === 2 && frame.nthOnSocket === 1 && withheld) {
          s.send(withheld);
          lateSent = true;
        }
        s.send(s.reply(frame));
      },
    }),
  });
  const auth = await authorizeOn(run, server.url);
  const client = clientFor(run, 'socket', server.url, { socket: { idleTimeout: 50 } });
  run.expect('the cancelled ask', await run.ask(client.ask(auth, late, { timeout: 40 }), late), timeoutError, 'KissTimeoutError');
  await within(2000, () => server.openSockets === 0);
  const questions = [run.name('question 1'), run.name('question 2')];
  const asks = await Promise.all(questions.map((q) => run.ask(client.ask(auth, q), q)));
  run.check(lateSent, 'the hostile server never got to send the late answer on the next socket (the row proved nothing)');
  for (const ask of asks) run.expect(`ask "${ask.question.split(' (')[0]}"`, ask, anyOf(answered(ask.question), socketClosed('order-lost')), "its own answer, or SocketClosedError('order-lost')");
});

// ——— peers that stop answering ———

row('a silent peer (pings answered)', ['socket'], async (run) => {
  const server = await run.ws({ behavior: { onFrame: (frame, s) => void s.reply(frame) } });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, 'socket', server.url, { socket: { pingInterval: 50 } }), auth, { timeout: 400 });
  expectAsks(run, work, () => timeoutError, 'KissTimeoutError');
  run.expect('store', work.store, timeoutError, 'KissTimeoutError');
  run.check(server.wsCounts.sockets <= 2, `${server.wsCounts.sockets} sockets for a peer that answers pings`);
});

row('a dead peer (no answers, no pongs)', ['socket'], async (run) => {
  const server = await run.ws({ autoPong: false, behavior: { onFrame: (frame, s) => void s.reply(frame) } });
  const auth = await authorizeOn(run, server.url);
  const work = await clientWork(run, clientFor(run, 'socket', server.url, { socket: { pingInterval: 50 } }), auth, { timeout: 3000 });
  expectAsks(run, work, () => anyOf(socketClosed('dropped'), kissError('transport')), 'SocketClosedError(dropped) once the pings go unanswered');
  run.expect('store', work.store, socketClosed('dropped'), 'SocketClosedError(dropped), never resent');
  for (const q of work.questions) {
    const sent = server.wsCounts.asks.get(q) ?? 0;
    run.check(sent <= 3, `"${q}" was sent ${sent} times; at most 3 expected`);
  }
});

// ——— bad input ———

row('createSession(null)', ['n/a'], async (run) => {
  const outcome = await attempt(run, () => {
    const session = createSession(null as never);
    run.adopt(session);
    return session.open();
  });
  run.expect('createSession(null)', outcome, misuse(), 'SessionMisuseError');
});

row('createClient(null)', ['n/a'], async (run) => {
  const outcome = await attempt(run, () => {
    const client = createClient(null as never);
    run.adopt(client);
    return client.authorize({ scope: 'temporary' });
  });
  run.expect('createClient(null)', outcome, misuse(), 'SessionMisuseError');
});

for (const [label, timeout] of [
  ['timeout: -1', -1],
  ["timeout: 'abc'", 'abc'],
  ['timeout: NaN', Number.NaN],
] as const) {
  row(label, BOTH, async (run, lane) => {
    const server = await run.ws();
    const auth = await authorizeOn(run, server.url);
    const client = clientFor(run, lane, server.url);
    const q = run.name('question');
    const outcome = await attempt(run, () => client.ask(auth, q, { timeout: timeout as never }));
    run.expect('ask', outcome, misuse(), 'SessionMisuseError at the call');
    const session = sessionFor(run, lane, server.url);
    const opened = await run.outcome(session.open());
    if (opened.status === 'ok') {
      const q2 = run.name('session question');
      run.expect('session ask', await attempt(run, () => session.ask(q2, { timeout: timeout as never })), misuse(), 'SessionMisuseError at the call');
    }
    const sent = (server.http.counts.questions.get(q) ?? 0) + (server.wsCounts.asks.get(q) ?? 0);
    run.check(sent === 0, `the ask was sent ${sent} time(s)`);
  });
}

row('a call on a disposed client', BOTH, async (run, lane) => {
  const server = await run.ws();
  const auth = await authorizeOn(run, server.url);
  const client = clientFor(run, lane, server.url);
  client.dispose();
  const q = run.name('question');
  run.expect('ask', await attempt(run, () => client.ask(auth, q)), misuse(), 'SessionMisuseError');
  const sent = (server.http.counts.questions.get(q) ?? 0) + (server.wsCounts.asks.get(q) ?? 0);
  run.check(sent === 0, `the ask was sent ${sent} time(s)`);
});

row('a document over maxDocumentBytes', BOTH, async (run, lane) => {
  const server = await run.ws();
  const auth = await authorizeOn(run, server.url);
  const client = clientFor(run, lane, server.url, { maxDocumentBytes: 1024 });
  // A sparse 3 GiB file: its size is known without reading it, and reading it would fail (Node
  // reads at most 2 GiB into one buffer), so a misuse error proves the size was checked first.
  const file = path.join(os.tmpdir(), `kiss-faults-${process.pid}-${lane}-big.bin`);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, 3 * 1024 * 1024 * 1024);
  try {
    const fromPath = await attempt(run, () => client.store(auth, file));
    run.expect('store (file path)', fromPath, misuse(/maxDocumentBytes/), 'SessionMisuseError naming maxDocumentBytes');
    const fromBytes = await attempt(run, () => client.store(auth, { name: 'big.bin', data: new Uint8Array(4096) }));
    run.expect('store (bytes)', fromBytes, misuse(), 'SessionMisuseError naming the limit');
  } finally {
    fs.rmSync(file, { force: true });
  }
  const received = [...server.http.counts.storesReceived.values()].reduce((a, b) => a + b, 0);
  run.check(received === 0, `${received} store(s) reached the server`);
});

// ——— the suite ———

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (error) {
    return `[unserialisable: ${String(error)}]`;
  }
}

beforeAll(() => installCrashListeners());

afterAll(() => {
  removeCrashListeners();
  printTable();
});

describe('the client against hostile servers', () => {
  for (const r of rows) {
    for (const lane of r.lanes) {
      it(`${r.fault} [${lane}]`, async () => {
        const run = new Run(r.fault, lane === 'n/a' ? 'rest' : lane);
        let thrown: unknown;
        try {
          await r.body(run, lane);
        } catch (error) {
          thrown = error;
        }
        const tally = await run.finish();
        const problems = [...run.failures];
        if (thrown) problems.unshift(`the row itself failed: ${showError(thrown)}`);
        const zero = tally.hangs + tally.misroutes + tally.duplicateStores + tally.crashes + tally.handles === 0;
        results.push({ fault: r.fault, lane, ...tally, passed: problems.length === 0 && zero, problems });
        expect({ problems, ...tally }).toEqual({ problems: [], hangs: 0, misroutes: 0, duplicateStores: 0, crashes: 0, handles: 0 });
      });
    }
  }
});

function printTable(): void {
  const header = ['fault', 'transport', 'hangs', 'misroutes', 'dup stores', 'crashes', 'handles', 'result'];
  const body = results.map((r) => [r.fault, r.lane, r.hangs, r.misroutes, r.duplicateStores, r.crashes, r.handles, r.passed ? 'ok' : 'FAIL'].map(String));
  const totals = results.reduce(
    (t, r) => ({ hangs: t.hangs + r.hangs, misroutes: t.misroutes + r.misroutes, dup: t.dup + r.duplicateStores, crashes: t.crashes + r.crashes, handles: t.handles + r.handles }),
    { hangs: 0, misroutes: 0, dup: 0, crashes: 0, handles: 0 },
  );
  const failedRows = results.filter((r) => !r.passed).length;
  body.push([`TOTAL (${results.length} rows, ${failedRows} failing)`, '', totals.hangs, totals.misroutes, totals.dup, totals.crashes, totals.handles, failedRows ? 'FAIL' : 'ok'].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  const failures = results
    .filter((r) => !r.passed)
    .map((r) => `- ${r.fault} [${r.lane}]: ${r.problems.join('; ') || 'counts not zero'}`);
  console.log(
    [
      'Fault suite',
      line(header),
      rule,
      ...body.slice(0, -1).map(line),
      rule,
      line(body[body.length - 1]!),
      '',
      failures.length ? `Failing rows (expected vs actual):\n${failures.join('\n')}` : 'Every row passed.',
      crashLog.length ? `\nCrashes seen:\n${crashLog.map((c) => `- ${c}`).join('\n')}` : '',
    ].join('\n'),
  );
}
