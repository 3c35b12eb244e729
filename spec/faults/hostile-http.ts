/**
 * A hostile KISS AI Stack HTTP server for the fault suite: a real server on a free loopback port
 * that speaks the protocol well enough for the happy path (see /work/shared/PROTOCOL.md), answers
 * deterministically (`Answer to "<q>"`), and misbehaves on demand through one per-request fault
 * function. It counts what it receives (requests per path, questions, stores per document name,
 * connections, connections still open or busy) and stops without hanging, whatever state its
 * connections are in.
 *
 * Test code only (STYLE.md: "a hostile server for the fault suite is test code, not part of
 * testing/"): it never imports the client.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

// ——— tokens ———

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Every token and client secret any hostile server issued in this process (for leak checks). */
export const issued = { tokens: new Map<string, string>(), secrets: new Map<string, string>() };

/** A JWT-shaped token the client can read `exp` from (it never verifies the signature). */
export function makeToken(clientId: string, scope = 'temporary', lifetimeSeconds = 1800): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({ sub: clientId, scope, exp: Math.floor(Date.now() / 1000) + lifetimeSeconds }));
  const token = `${header}.${claims}.${b64url(randomBytes(32))}`;
  issued.tokens.set(token, clientId);
  return token;
}

/** The client id a bearer header names, when it carries a token some hostile server issued. */
export function bearerClient(header: string | undefined): string | undefined {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  return match ? issued.tokens.get(match[1]!) : undefined;
}

// ——— requests and faults ———

/** One request as the fault function sees it. */
export interface HostileRequest {
  readonly method: string;
  /** Path and query, as sent: `/sessions?action=init`. */
  readonly url: string;
  /** Path without the query. */
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** A WebSocket upgrade (`GET /ws`) rather than a plain request. */
  readonly upgrade: boolean;
  /** The raw body ('' for upgrades). */
  readonly text: string;
  /** The body parsed as JSON, or undefined. */
  readonly body: unknown;
  /** What the request is about: the question of an ask, the document names of a store, the action, or `auth`/`ws`. */
  readonly key: string;
  /** 1 for the first request to this path with this key, 2 for the second, … */
  readonly nth: number;
  /** 1 for the first request to this path (query included), … */
  readonly nthOnPath: number;
  /** 1 for the first request on its TCP connection. */
  readonly nthOnConnection: number;
  /** Milliseconds since the server started. */
  readonly at: number;
}

/** What to do with one request. `handle: true` runs the happy handler first (a store is stored) and then misbehaves. */
export type HttpAction =
  | { kind: 'pass'; closeConnection?: boolean }
  | { kind: 'respond'; status: number; body?: string | object; headers?: Record<string, string>; handle?: boolean }
  | { kind: 'stall'; handle?: boolean }
  | { kind: 'stall-mid-body'; handle?: boolean }
  | { kind: 'reset'; handle?: boolean }
  | { kind: 'reset-after-headers'; handle?: boolean }
  | { kind: 'huge'; bytes: number };

/** Decides per request; undefined (or `pass`) means behave. */
export type HttpFault = (request: HostileRequest) => HttpAction | undefined;

export interface HostileHttpOptions {
  /** The fault, consulted for every request and every upgrade. */
  fault?: HttpFault;
  /** Called for an upgrade the fault let pass (hostile-ws installs itself here). */
  onUpgrade?: (request: http.IncomingMessage, socket: Socket, head: Buffer) => void;
  /** Answer every request with `Connection: close`, so each one goes on a fresh connection. */
  closeEveryConnection?: boolean;
}

/** What a server received. */
export interface HostileCounts {
  /** `POST /queries` → n (query included: `POST /sessions?action=init`). */
  requests: Map<string, number>;
  /** REST asks received, by question. */
  questions: Map<string, number>;
  /** Store requests received (REST and socket), by document name, whatever happened to them. */
  storesReceived: Map<string, number>;
  /** Documents actually stored, by name. More than one for a name is a duplicate store. */
  stored: Map<string, number>;
  /** TCP connections accepted. */
  connections: number;
  /** Requests that carried an Authorization header (a bearer must never reach a foreign origin). */
  bearers: number;
}

type ConnectionState = 'idle' | 'busy' | 'upgraded';

/** A running hostile HTTP server. */
export class HostileHttp {
  readonly counts: HostileCounts = {
    requests: new Map(),
    questions: new Map(),
    storesReceived: new Map(),
    stored: new Map(),
    connections: 0,
    bearers: 0,
  };
  /** Open TCP connections and what they are doing. */
  private readonly sockets = new Map<Socket, { state: ConnectionState; requests: number }>();
  private readonly seenKeys = new Map<string, number>();
  private readonly clients = new Map<string, string>(); // id → secret
  private readonly started = Date.now();
  private stopping: Promise<void> | undefined;
  private nextDocumentId = 1;
  private nextClient = 1;
  readonly port: number;
  readonly url: string;

  /** Use {@link startHostileHttp}. */
  constructor(
    private readonly server: http.Server,
    private readonly options: HostileHttpOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Replaces the fault from now on. */
  setFault(fault: HttpFault | undefined): void {
    this.options.fault = fault;
  }

  /** @internal hostile-ws installs its upgrade handler here. */
  setUpgradeHandler(handler: HostileHttpOptions['onUpgrade']): void {
    this.options.onUpgrade = handler;
  }

  /** Connections that are not idle keep-alive ones: a request in progress, or an upgraded socket. */
  get activeConnections(): number {
    let n = 0;
    for (const { state } of this.sockets.values()) if (state !== 'idle') n++;
    return n;
  }

  /** Open TCP connections, idle ones included. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Requests received for one path (`POST /queries`), the query included. */
  requestsTo(key: string): number {
    return this.counts.requests.get(key) ?? 0;
  }

  /** Every request received, all paths. */
  get totalRequests(): number {
    let n = 0;
    for (const v of this.counts.requests.values()) n += v;
    return n;
  }

  /** Extra stores: for each document stored more than once, the copies beyond the first. */
  get duplicateStores(): number {
    let n = 0;
    for (const v of this.counts.stored.values()) n += Math.max(0, v - 1);
    return n;
  }

  /** Every client secret this server issued. */
  get secrets(): string[] {
    return [...this.clients.values()];
  }

  /** Every token this server issued. */
  readonly tokens: string[] = [];

  /** The secret of a client this server created. */
  secretOf(clientId: string): string | undefined {
    return this.clients.get(clientId);
  }

  /** Stops: every connection is destroyed at once, whatever it was doing. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      for (const socket of this.sockets.keys()) socket.destroy();
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
      // close() waits for connections; they were all destroyed above, so it settles at once.
    });
    return this.stopping;
  }

  // ——— @internal plumbing used by the server's listeners ———

  /** @internal */
  track(socket: Socket): void {
    this.counts.connections++;
    this.sockets.set(socket, { state: 'idle', requests: 0 });
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    if (this.stopping) socket.destroy();
  }

  /** @internal */
  markSocket(socket: Socket, state: ConnectionState): void {
    const entry = this.sockets.get(socket);
    if (entry) entry.state = state;
  }

  /** @internal Records a request and builds what the fault function sees. */
  describe(req: http.IncomingMessage, text: string, upgrade: boolean): HostileRequest {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const method = req.method ?? 'GET';
    const pathKey = `${method} ${url}`;
    const nthOnPath = (this.counts.requests.get(pathKey) ?? 0) + 1;
    this.counts.requests.set(pathKey, nthOnPath);
    if (req.headers.authorization !== undefined) this.counts.bearers++;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const key = upgrade ? 'ws' : requestKey(path, url, body);
    const seenKey = `${pathKey}\u0000${key}`;
    const nth = (this.seenKeys.get(seenKey) ?? 0) + 1;
    this.seenKeys.set(seenKey, nth);
    const entry = req.socket ? this.sockets.get(req.socket) : undefined;
    const nthOnConnection = entry ? ++entry.requests : 1;
    if (!upgrade && path === '/queries' && typeof (body as { query?: unknown })?.query === 'string') {
      bump(this.counts.questions, (body as { query: string }).query);
    }
    if (!upgrade && path === '/documents') for (const name of documentNames(body)) bump(this.counts.storesReceived, name);
    return { method, url, path, headers: req.headers, upgrade, text, body, key, nth, nthOnPath, nthOnConnection, at: Date.now() - this.started };
  }

  /** @internal The fault's decision for a request. */
  decide(request: HostileRequest): HttpAction {
    return this.options.fault?.(request) ?? { kind: 'pass' };
  }

  /** @internal Handles a plain request. */
  async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const socket = req.socket;
    this.markSocket(socket, 'busy');
    res.on('close', () => this.markSocket(socket, 'idle'));
    let text: string;
    try {
      text = await readBody(req, 256 * 1024 * 1024);
    } catch {
      socket.destroy();
      return;
    }
    const request = this.describe(req, text, false);
    const action = this.decide(request);
    if (this.options.closeEveryConnection) res.setHeader('connection', 'close');
    const happy = () => this.handle(request);
    switch (action.kind) {
      case 'pass': {
        const reply = happy();
        if (action.closeConnection) res.setHeader('connection', 'close');
        return send(res, reply.status, reply.body);
      }
      case 'respond': {
        if (action.handle) happy();
        const body = action.body === undefined ? '' : typeof action.body === 'string' ? action.body : JSON.stringify(action.body);
        const type = typeof action.body === 'object' ? 'application/json' : 'text/plain; charset=utf-8';
        res.writeHead(action.status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...(action.headers ?? {}) });
        res.end(body);
        return;
      }
      case 'stall':
        if (action.handle) happy();
        return; // never answers; the connection stays busy until the client gives up (or stop())
      case 'stall-mid-body': {
        const reply = action.handle ? happy() : { status: 200, body: '' };
        const full = JSON.stringify(reply.body ?? { stack_id: 'x', result: 'Answer', extras: null });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(full) + 64 });
        res.write(full.slice(0, Math.max(1, Math.floor(full.length / 2))));
        return; // the rest never comes
      }
      case 'reset':
        if (action.handle) happy();
        reset(socket);
        return;
      case 'reset-after-headers': {
        if (action.handle) happy();
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 4096 });
        res.flushHeaders();
        res.write('{"stack_id":');
        setTimeout(() => reset(socket), 5);
        return;
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': action.bytes });
        const chunk = garbage();
        let left = action.bytes;
        const pump = () => {
          while (left > 0) {
            const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= piece.length;
            if (!res.write(piece)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (left = 0));
        pump();
        return;
      }
    }
  }

  /** @internal An upgrade request: the fault may refuse, stall or reset it; else hostile-ws takes it. */
  upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    this.markSocket(socket, 'upgraded');
    const request = this.describe(req, '', true);
    const action = this.decide(request);
    switch (action.kind) {
      case 'pass':
        if (this.options.onUpgrade) return this.options.onUpgrade(req, socket, head);
        return rawResponse(socket, 404, { detail: 'Not Found' });
      case 'respond':
        return rawResponse(socket, action.status, action.body, action.headers);
      case 'stall':
      case 'stall-mid-body':
        // Never answers the handshake, but keeps reading (and discarding), so a client that gives up is noticed.
        // (Server sockets allow half-open connections: a client's FIN alone would leave this one open.)
        socket.on('data', () => undefined);
        socket.on('end', () => socket.destroy());
        socket.resume();
        return;
      case 'reset':
      case 'reset-after-headers':
        reset(socket);
        return;
      case 'huge':
        return rawResponse(socket, 200, 'x'.repeat(Math.min(action.bytes, 1024 * 1024)));
    }
  }

  // ——— the happy path ———

  /** The protocol's answer to a request, with its side effects (clients created, documents stored). */
  handle(request: HostileRequest): { status: number; body: unknown } {
    const { method, path, url, body } = request;
    if (method !== 'POST') return { status: 405, body: { detail: 'Method Not Allowed' } };
    if (path === '/auth') return this.authorize(body);
    const clientId = bearerClient(request.headers.authorization);
    if (!clientId) {
      return { status: 401, body: { detail: request.headers.authorization ? 'Invalid token' : 'Authorization header missing' } };
    }
    return this.stackReply(path === '/sessions' ? `action:${new URLSearchParams(url.split('?')[1] ?? '').get('action')}` : path, body, clientId);
  }

  /** @internal The stack's reply to one step, shared with the socket (`what` is a path or `action:…`). */
  stackReply(what: string, body: unknown, clientId: string): { status: number; body: unknown } {
    const data = (body ?? {}) as { query?: unknown; files?: unknown };
    switch (what) {
      case 'action:init':
        return { status: 200, body: { stack_id: clientId, result: 'Greetings!', extras: null } };
      case 'action:close':
        return { status: 200, body: { stack_id: clientId, result: 'Good bye!', extras: null } };
      case '/queries':
        if (typeof data.query !== 'string') return { status: 422, body: { detail: [{ type: 'missing', loc: ['body', 'query'], msg: 'Field required', input: {} }] } };
        return { status: 200, body: answerBody(clientId, data.query) };
      case '/documents': {
        const names = documentNames(body);
        if (!Array.isArray(data.files)) return { status: 422, body: { detail: [{ type: 'missing', loc: ['body', 'files'], msg: 'Field required', input: {} }] } };
        const ids = names.map((name) => {
          bump(this.counts.stored, name);
          return `doc-${this.nextDocumentId++}`;
        });
        return { status: 200, body: { stack_id: clientId, result: 'Files stored', extras: { documents: ids } } };
      }
      default:
        if (what.startsWith('action:')) return { status: 400, body: { detail: `Invalid action: ${what.slice(7)}` } };
        return { status: 404, body: { detail: 'Not Found' } };
    }
  }

  private authorize(body: unknown): { status: number; body: unknown } {
    const { scope, client_id: id, client_secret: secret } = (body ?? {}) as Record<string, unknown>;
    if (typeof id === 'string' && typeof secret === 'string') {
      const known = this.clients.get(id);
      if (known === undefined) return { status: 401, body: { detail: 'Invalid or inactive session' } };
      if (known !== secret) return { status: 401, body: { detail: 'Invalid client_id or client_secret' } };
      const token = makeToken(id);
      this.tokens.push(token);
      return { status: 200, body: { access_token: token, client_id: id, client_secret: secret } };
    }
    if (scope !== 'temporary' && scope !== 'persistent') {
      if (scope === undefined) return { status: 401, body: { detail: 'Value error, Either `scope` or both `client_id` and `client_secret` must be provided.' } };
      return { status: 500, body: 'Internal Server Error' };
    }
    const clientId = `client-${this.port}-${this.nextClient++}-${randomBytes(4).toString('hex')}`;
    const clientSecret = `secret-${randomBytes(16).toString('hex')}`;
    this.clients.set(clientId, clientSecret);
    issued.secrets.set(clientSecret, clientId);
    const token = makeToken(clientId, scope);
    this.tokens.push(token);
    return { status: 200, body: { access_token: token, client_id: clientId, client_secret: clientSecret } };
  }
}

/** The answer body for a question: deterministic, so a misroute is visible. */
export function answerBody(stackId: string, question: string) {
  return {
    stack_id: stackId,
    result: `Answer to "${question}"`,
    extras: { query: question, metadata: null, distances: null, supporting_documents: null },
  };
}

/** Document names of a store body. */
export function documentNames(body: unknown): string[] {
  const files = (body as { files?: unknown } | undefined)?.files;
  if (!Array.isArray(files)) return [];
  return files.map((f) => String((f as { name?: unknown })?.name ?? '')).filter(Boolean);
}

function requestKey(path: string, url: string, body: unknown): string {
  if (path === '/queries') return String((body as { query?: unknown })?.query ?? '');
  if (path === '/documents') return documentNames(body).join(',');
  if (path === '/sessions') return url;
  return path.replace(/^\//, '');
}

/** Destroys a connection with a TCP reset. */
export function reset(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
  else socket.destroy();
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

let garbageChunk: Buffer | undefined;
/** 1 MiB of bytes that are not JSON (nor UTF-8 text, mostly). */
function garbage(): Buffer {
  garbageChunk ??= Buffer.concat([Buffer.from('{"stack_id": "'), randomBytes(1024 * 1024 - 15)]);
  return garbageChunk;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const STATUS_TEXT: Record<number, string> = { 101: 'Switching Protocols' };

/** Writes a whole HTTP response on a raw (upgrade) socket, then closes it. */
export function rawResponse(socket: Socket, status: number, body?: string | object, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? 'Unknown'}`,
    `content-type: ${typeof body === 'object' ? 'application/json' : 'text/plain; charset=utf-8'}`,
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  if (socket.writable) socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  else socket.destroy();
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

/** Starts a hostile HTTP server on a free loopback port. */
export async function startHostileHttp(options: HostileHttpOptions = {}): Promise<HostileHttp> {
  const server = http.createServer({ keepAliveTimeout: 5000, requestTimeout: 0, headersTimeout: 0 });
  let hostile: HostileHttp | undefined;
  const pending: Socket[] = [];
  server.on('connection', (socket: Socket) => (hostile ? hostile.track(socket) : pending.push(socket)));
  server.on('request', (req, res) => void hostile!.serve(req, res));
  server.on('upgrade', (req, socket: Socket, head: Buffer) => hostile!.upgrade(req, socket, head));
  server.on('clientError', (_error, socket: Socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  hostile = new HostileHttp(server, options);
  for (const socket of pending) hostile.track(socket);
  return hostile;
}

/** A port on 127.0.0.1 with nothing listening (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
