/**
 * REST over Node's own `node:http` / `node:https`, with a keep-alive pool shared by every client in
 * the process. It exists for one case `fetch` cannot see: a request written to a pooled connection
 * that the server had already closed (the KISS AI Stack server closes its connection after every
 * unhandled 500, without a `Connection: close` header) fails with a reset before any response byte.
 * Node's documentation names exactly this case (`request.reusedSocket`): the server never read the
 * request, so it is sent once more, on a fresh connection, whatever it is (a store included).
 *
 * The main entry stays browser-safe: the modules are reached at run time through
 * `process.getBuiltinModule`, or a dynamic import that bundlers do not follow.
 * @module
 */
import type * as NodeHttp from 'node:http';
import type { HttpReply, HttpRequest, HttpRequester } from './http-requester.js';
import { writeBody } from './node-body.js';

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

type HttpModule = Pick<typeof NodeHttp, 'request' | 'Agent'>;

interface Stack {
  modules: Record<'http:' | 'https:', HttpModule>;
  /** One keep-alive pool per scheme for the whole process. */
  agents: Record<'http:' | 'https:', NodeHttp.Agent>;
}

/**
 * How long a pooled connection may sit unused before we close it, in ms. Below uvicorn's default
 * keep-alive (5 s), so we usually close first rather than write into a connection it just closed.
 */
const IDLE_POOLED_MS = 4000;

let stack: Stack | Promise<Stack | undefined> | undefined;

function nodeProcess(): NodeProcess | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  return proc?.versions?.node ? proc : undefined;
}

function makeStack(http: HttpModule, https: HttpModule): Stack {
  const agent = (module: HttpModule) => new module.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_POOLED_MS });
  return { modules: { 'http:': http, 'https:': https }, agents: { 'http:': agent(http), 'https:': agent(https) } };
}

async function importStack(): Promise<Stack | undefined> {
  try {
    const ids = ['node:http', 'node:https'];
    const [http, https] = (await Promise.all(ids.map((id) => import(/* webpackIgnore: true */ /* @vite-ignore */ id)))) as HttpModule[];
    return makeStack(http!, https!);
  } catch {
    return undefined;
  }
}

/** The shared stack: synchronously where Node has `getBuiltinModule`, else after one dynamic import. */
function loadStack(): Stack | Promise<Stack | undefined> | undefined {
  if (stack) return stack;
  const proc = nodeProcess();
  if (!proc) return undefined;
  const http = proc.getBuiltinModule?.('node:http') as HttpModule | undefined;
  const https = proc.getBuiltinModule?.('node:https') as HttpModule | undefined;
  stack = http && https ? makeStack(http, https) : importStack();
  return stack;
}

/** The requester of every client without agents of its own: they all send through the shared pools. */
let sharedRequester: HttpRequester | undefined;

/**
 * The `node:http` requester, or undefined outside Node.
 * @internal
 */
export function nodeHttpRequester(agents?: NodeAgents): HttpRequester | undefined {
  if (!nodeProcess()) return undefined;
  // One requester for them all: a requester per client would cost every open session its closures.
  if (!agents) return (sharedRequester ??= requesterWith(undefined));
  return requesterWith(agents);
}

/** A requester through `agents` where given, else through the shared pools. */
function requesterWith(agents: NodeAgents | undefined): HttpRequester {
  let own: Stack | undefined;
  return (request) => {
    const loaded = loadStack();
    // Loaded synchronously (getBuiltinModule) in all but the oldest Node 20s: no extra turn per request.
    if (loaded && !(loaded instanceof Promise)) return post((own ??= withAgents(loaded, agents)), request, false);
    return Promise.resolve(loaded).then((ready) => {
      if (!ready) throw new Error('node:http could not be loaded');
      return post((own ??= withAgents(ready, agents)), request, false);
    });
  };
}

/** The shared stack with a client's own agents in place of the shared pools. */
function withAgents(shared: Stack, agents: NodeAgents | undefined): Stack {
  if (!agents) return shared;
  return { modules: shared.modules, agents: { 'http:': (agents.http ?? shared.agents['http:']) as NodeHttp.Agent, 'https:': (agents.https ?? shared.agents['https:']) as NodeHttp.Agent } };
}

/**
 * The `node:http` / `node:https` agents a client sends its REST requests through in Node, in place
 * of the keep-alive pool every client shares by default: your own pool sizes, a proxy agent, TLS
 * options (a private CA, client certificates). Typed loosely so that browser builds need no Node
 * types; pass instances of `http.Agent` and `https.Agent`. Ignored outside Node and when `fetch`
 * is given.
 *
 * @example
 * ```ts
 * import { Agent } from 'node:https';
 * createClient({ url: 'https://stack.internal', agent: { https: new Agent({ keepAlive: true, maxSockets: 16, ca: privateCa }) } });
 * ```
 * @category Client
 */
export interface NodeAgents {
  /** The agent for `http:` URLs (an `http.Agent`). @default the shared keep-alive pool */
  http?: object;
  /** The agent for `https:` URLs (an `https.Agent`). @default the shared keep-alive pool */
  https?: object;
}

/**
 * More than this much body cannot sit unread in the connection's buffers: once a body this large
 * was wholly written, the server was reading it.
 */
const UNREAD_BODY_BYTES = 64 * 1024;

/**
 * A reset before any response byte on a connection taken from the pool: the server had closed it,
 * and never read the request. A large body (a streamed store) that was written to the end before
 * the reset was being read, though, so the server may have handled it: that one is not resent.
 */
function isStaleConnection(error: unknown, req: { reusedSocket: boolean; writableFinished: boolean }, answered: boolean, bodyBytes: number): boolean {
  const code = (error as { code?: unknown })?.code;
  if (!req.reusedSocket || answered || (code !== 'ECONNRESET' && code !== 'EPIPE')) return false;
  return !req.writableFinished || bodyBytes <= UNREAD_BODY_BYTES;
}

interface Target {
  scheme: 'http:' | 'https:';
  hostname: string;
  port: string;
  path: string;
}

/** Parsed request URLs: a client sends to the same few URLs again and again. */
const targets = new Map<string, Target>();

function targetOf(href: string): Target {
  let target = targets.get(href);
  if (!target) {
    const url = new URL(href);
    target = { scheme: url.protocol === 'https:' ? 'https:' : 'http:', hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: `${url.pathname}${url.search}` };
    if (targets.size > 256) targets.clear();
    targets.set(href, target);
  }
  return target;
}

function post(stack: Stack, request: HttpRequest, fresh: boolean): Promise<HttpReply> {
  const { scheme, hostname, port, path } = targetOf(request.url);
  // JSON text stays a string (see writeBody): a Buffer would go out as a second write after the headers.
  const body = request.body;
  const bodyBytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
  return new Promise<HttpReply>((resolve, reject) => {
    let answered = false;
    const req = stack.modules[scheme].request({
      hostname,
      port,
      path,
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(bodyBytes) },
      // The resend goes on a connection of its own, never on another pooled one.
      agent: fresh ? false : stack.agents[scheme],
    });
    request.cancel.abort = () => req.destroy(Object.assign(new Error('The request was cancelled.'), { name: 'AbortError', code: 'ABORT_ERR' }));
    if (request.cancel.aborted) request.cancel.abort();
    req.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
        const headers = response.headers;
        resolve({
          status: response.statusCode ?? 0,
          text,
          header: (name) => {
            const value = headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
        });
      });
      response.on('error', reject);
      response.on('close', () => {
        if (!response.complete) reject(Object.assign(new Error('the connection closed before the whole response arrived'), { code: 'ECONNRESET' }));
      });
    });
    req.on('error', (error) => {
      if (!fresh && !request.cancel.aborted && isStaleConnection(error, req, answered, bodyBytes)) {
        post(stack, request, true).then(resolve, reject);
      } else {
        reject(error);
      }
    });
    writeBody(req, body);
  });
}
