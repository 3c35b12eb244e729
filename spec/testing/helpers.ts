// Raw HTTP and WebSocket helpers for driving the embedded test server without the client.
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import type { TestServer } from '../../lib/testing';

export interface RawResponse {
  status: number;
  text: string;
  json: unknown;
  headers: Headers;
}

export interface AuthBody {
  access_token: string;
  client_id: string;
  client_secret: string;
}

/** POST (or another method) with a JSON body by default; a string body is sent as is. */
export async function request(
  base: string,
  path: string,
  init: { method?: string; body?: string | object; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const { method = 'POST', body, headers = {} } = init;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

/** What a node:http request ended with: a response, or the error it failed with and whether it went out on a reused connection. */
export type NodeHttpOutcome =
  | { ok: true; status: number; headers: IncomingHttpHeaders; text: string; reusedSocket: boolean }
  | { ok: false; code: string | undefined; message: string; reusedSocket: boolean };

/** A request through node:http (so with a chosen Agent, and any header, Host included). */
export function nodeRequest(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; agent?: Agent | false } = {},
): Promise<NodeHttpOutcome> {
  const { method = 'POST', body = '', headers = {}, agent } = init;
  return new Promise((resolve) => {
    const req = httpRequest(url, { method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, headers: res.headers, text, reusedSocket: req.reusedSocket }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, code: error.code, message: error.message, reusedSocket: req.reusedSocket }));
    req.end(body);
  });
}

export const post = (base: string, path: string, body?: string | object, headers?: Record<string, string>) =>
  request(base, path, { body, headers });

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export async function authorize(server: TestServer, scope = 'temporary'): Promise<AuthBody> {
  const res = await post(server.url, '/auth', { scope });
  if (res.status !== 200) throw new Error(`authorize failed: ${res.status} ${res.text}`);
  return res.json as AuthBody;
}

export async function bootstrapped(server: TestServer, scope = 'temporary'): Promise<AuthBody> {
  const auth = await authorize(server, scope);
  const res = await post(server.url, '/sessions?action=init', { query: 'hi' }, bearer(auth.access_token));
  if (res.status !== 200) throw new Error(`bootstrap failed: ${res.status} ${res.text}`);
  return auth;
}

export const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A raw ws client that queues parsed answer frames and remembers how it closed. */
export class TestSocket {
  readonly messages: unknown[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiting: Array<(message: unknown) => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message: unknown = JSON.parse(String(data));
      const waiter = this.waiting.shift();
      if (waiter) waiter(message);
      else this.messages.push(message);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string, token: string): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers: bearer(token) });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next answer frame; rejects when none comes within timeoutMs. */
  next(timeoutMs = 5000): Promise<unknown> {
    const queued = this.messages.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame arrived')), timeoutMs);
      this.waiting.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  /** Sends one frame and returns its answer. */
  async call(frame: unknown): Promise<unknown> {
    this.send(frame);
    return this.next();
  }

  close(): void {
    this.ws.close();
  }
}

/** The HTTP status the handshake got, when the server refused the upgrade, or 101. */
export function handshakeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
