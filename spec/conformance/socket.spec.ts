// PROTOCOL.md, "The socket": through the client's socket transport, and on the wire for what the
// client never provokes itself.
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { firstValueFrom } from 'rxjs';
import { HttpError, UnauthorizedError, ValidationError, type KissClient } from '../../lib';
import { errorFromSocketFrame } from '../../lib/errors/from-response';
import { socketTransport, SocketClosedError } from '../../lib/socket';
import { failure, hooks, startTarget, withHooks, type Target } from './target';

let target: Target;
const clients: KissClient[] = [];
beforeAll(async () => (target = await startTarget()));
afterEach(() => clients.splice(0).forEach((c) => c.dispose()));
afterAll(() => target.stop());

const wsUrl = () => target.client().endpoint.wsUrl;
function socketClient(): KissClient {
  const client = target.client({ transport: socketTransport });
  clients.push(client);
  return client;
}

/** The HTTP status of a handshake: 101 when upgraded, else the refusal's status. */
function handshake(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(), { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** A raw socket that returns answer frames in order, and how it closed. */
async function rawSocket(token: string) {
  const ws = new WebSocket(wsUrl(), { headers: { Authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const frames: unknown[] = [];
  const waiters: Array<(frame: unknown) => void> = [];
  ws.on('message', (data) => {
    const frame: unknown = JSON.parse(String(data));
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return {
    send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: () => (frames.length ? Promise.resolve(frames.shift()) : new Promise<unknown>((resolve) => waiters.push(resolve))),
    closed,
    close: () => ws.close(),
  };
}

describe('the socket through the client', () => {
  it('runs bootstrap, ask, store and destroy with the REST result shapes', async () => {
    const client = socketClient();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    expect(await firstValueFrom(client.bootstrap(auth))).toEqual({ stackId: auth.clientId, message: 'Greetings!' });
    const answer = await firstValueFrom(client.ask(auth, 'Socket question?'));
    expect(answer).toMatchObject({ stackId: auth.clientId, question: 'Socket question?', supportingDocuments: null });
    const stored = await firstValueFrom(client.store(auth, { name: 'a/b/socket.txt', data: 'socket body' }));
    expect(stored.fileNames).toEqual(['socket.txt']);
    expect(stored.ids.length).toBeGreaterThan(0);
    expect((await firstValueFrom(client.ask(auth, 'From the doc?'))).supportingDocuments).not.toBeNull();
    expect(await firstValueFrom(client.destroy(auth))).toEqual({ stackId: auth.clientId, message: 'Good bye!' });
  });

  it('matches pipelined answers to their callers by order', async () => {
    const client = socketClient();
    const auth = await firstValueFrom(client.authorize({ scope: 'persistent' }));
    await firstValueFrom(client.bootstrap(auth));
    const questions = Array.from({ length: 30 }, (_, i) => `pipelined ${i}`);
    const answers = await Promise.all(questions.map((q) => firstValueFrom(client.ask(auth, q))));
    expect(answers.map((a) => a.question)).toEqual(questions);
    if (target.deterministic) expect(answers.map((a) => a.text)).toEqual(questions.map((q) => `Answer to "${q}"`));
  });

  it('fails a request the server answers by closing (asking before bootstrap) with SocketClosedError', async () => {
    const client = socketClient();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    const error = await failure(firstValueFrom(client.ask(auth, 'not bootstrapped')));
    expect(error).toBeInstanceOf(SocketClosedError);
    expect(error).toMatchObject({ event: 'on_query', closure: 'server-closed', code: 1000 });
  });

  it('ends a destroyed temporary session: the next socket is refused and the error says so', async () => {
    const client = socketClient();
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    await firstValueFrom(client.destroy(auth));
    const error = await failure(firstValueFrom(client.ask(auth, 'after the end')));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'inactive-session' });
  });
});

describe('the socket on the wire', () => {
  let token: string;
  beforeAll(async () => {
    const auth = await firstValueFrom(target.client().authorize({ scope: 'persistent' }));
    await firstValueFrom(target.client().bootstrap(auth));
    token = auth.accessToken;
  });

  it('refuses the handshake with HTTP 403 without a valid bearer token', async () => {
    expect(await handshake({})).toBe(403);
    expect(await handshake({ Authorization: 'Bearer not-a-token' })).toBe(403);
    expect(await handshake({ Authorization: `Bearer ${token}` })).toBe(101);
  });

  it('answers success frames with the event and the REST envelope', async () => {
    const ws = await rawSocket(token);
    ws.send({ event: 'on_query', data: { query: 'wire?' } });
    expect(await ws.next()).toEqual({ event: 'on_query', result: { stack_id: expect.any(String), result: expect.any(String), extras: expect.anything() } });
    ws.close();
  });

  it('answers an unknown event and invalid data with error frames that name no event, in order', async () => {
    const ws = await rawSocket(token);
    ws.send({ event: 'bogus', data: { query: 'x' } });
    ws.send('not json');
    ws.send({ event: 'on_store', data: { metadata: {} } });
    ws.send({ event: 'on_query', data: { query: 'still fine' } });
    const [bogus, notJson, noFiles, fine] = [await ws.next(), await ws.next(), await ws.next(), await ws.next()];
    expect(bogus).toEqual({ error: true, status_code: 400, detail: 'Invalid event: bogus' });
    expect(notJson).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(noFiles).toEqual({ error: true, status_code: 400, detail: 'Invalid data' });
    expect(fine).toMatchObject({ event: 'on_query' });
    expect(errorFromSocketFrame(400, 'Invalid data', { step: 'store' })).toBeInstanceOf(ValidationError);
    expect(errorFromSocketFrame(400, 'Invalid event: bogus', { step: 'ask' })).toBeInstanceOf(HttpError);
    ws.close();
  });

  it('answers an event that is not a string with an error frame rendering it the Python way', async () => {
    const ws = await rawSocket(token);
    const events: Array<[unknown, string]> = [[{}, '{}'], [{ a: 1 }, "{'a': 1}"], [[1, 2], '[1, 2]'], [5, '5'], [true, 'True'], [null, 'None']];
    for (const [event] of events) ws.send({ event, data: { query: 'q' } });
    for (const [, rendered] of events) expect(await ws.next()).toEqual({ error: true, status_code: 400, detail: `Invalid event: ${rendered}` });
    ws.close();
  });

  it('answers a store before bootstrap with the failed-store frame (extras null), not a close', async () => {
    const auth = await firstValueFrom(target.client().authorize({ scope: 'temporary' }));
    const ws = await rawSocket(auth.accessToken);
    ws.send({ event: 'on_store', data: { files: [{ name: 'a.txt', content: 'YQ==' }], metadata: {} } });
    expect(await ws.next()).toEqual({ event: 'on_store', result: { stack_id: auth.clientId, result: 'Files stored', extras: null } });
    ws.close();
  });

  it('closes with code 1009 and no answer for a frame over 16 MiB', async () => {
    const ws = await rawSocket(token);
    ws.send(`{"event":"on_query","data":{"query":"${'x'.repeat(17_000_000)}"}}`);
    expect(await ws.closed).toEqual({ code: 1009, reason: '' });
  });

  it.each([
    ['data is null', { event: 'on_query', data: null }],
    ['the frame is a JSON array', [1, 2]],
  ])('closes with code 1000 and an empty reason when %s', async (_name, frame) => {
    const ws = await rawSocket(token);
    ws.send(frame);
    expect(await ws.closed).toEqual({ code: 1000, reason: '' });
  });

  it('closes with code 1000 and an empty reason when data is not an object, answering nothing queued behind it', async () => {
    const ws = await rawSocket(token);
    ws.send({ event: 'on_query', data: 5 });
    ws.send({ event: 'on_query', data: { query: 'behind it' } });
    expect(await ws.closed).toEqual({ code: 1000, reason: '' });
  });

  it('accepts permessage-deflate when offered, then compresses even a short answer frame', async () => {
    // Raw TCP, so the frame header's RSV1 bit (set on a compressed message) can be read.
    const auth = await firstValueFrom(target.client().authorize({ scope: 'temporary' }));
    await firstValueFrom(target.client().bootstrap(auth));
    const { hostname, port } = new URL(wsUrl());
    const tcp = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    const more = () => new Promise<void>((resolve) => tcp.once('data', (chunk: Buffer) => ((received = Buffer.concat([received, chunk])), resolve())));
    await new Promise((resolve) => tcp.once('connect', resolve));
    tcp.write(
      [
        `GET ${new URL(wsUrl()).pathname} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits',
        `Authorization: Bearer ${auth.accessToken}`,
        '',
        '',
      ].join('\r\n'),
    );
    while (!received.includes('\r\n\r\n')) await more();
    const end = received.indexOf('\r\n\r\n') + 4;
    const head = received.subarray(0, end).toString();
    received = received.subarray(end);
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    expect(head).toMatch(/^sec-websocket-extensions: permessage-deflate/im);
    // One uncompressed, masked text frame (RSV1 clear: a client may send either).
    const payload = Buffer.from(JSON.stringify({ event: 'on_init', data: { query: 'Hi' } }));
    const mask = randomBytes(4);
    tcp.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((byte, i) => byte ^ mask[i % 4]!)]));
    while (received.length < 2) await more();
    const [first, second] = received;
    expect(first! & 0x0f).toBe(0x1); // a text frame
    expect(first! & 0x40).toBe(0x40); // RSV1: compressed
    expect(second! & 0x7f).toBeLessThan(126); // and short: the answer to bootstrap is a small frame
    tcp.destroy();
    await firstValueFrom(target.client().destroy(auth));
  });

  it('keeps the socket open after on_close', async () => {
    const auth = await firstValueFrom(target.client().authorize({ scope: 'persistent' }));
    await firstValueFrom(target.client().bootstrap(auth));
    const ws = await rawSocket(auth.accessToken);
    ws.send({ event: 'on_close', data: { query: 'bye' } });
    expect(await ws.next()).toMatchObject({ event: 'on_close', result: { result: 'Good bye!' } });
    ws.send({ event: 'on_init', data: { query: 'again' } });
    expect(await ws.next()).toMatchObject({ event: 'on_init', result: { result: 'Greetings!' } });
    ws.close();
  });

  withHooks('expireAllTokens', 'keeps an open socket working after its token stops being valid for new ones', async () => {
    const auth = await firstValueFrom(target.client().authorize({ scope: 'persistent' }));
    await firstValueFrom(target.client().bootstrap(auth));
    const ws = await rawSocket(auth.accessToken);
    hooks(target).expireAllTokens();
    expect(await handshake({ Authorization: `Bearer ${auth.accessToken}` })).toBe(403);
    ws.send({ event: 'on_query', data: { query: 'still open?' } });
    expect(await ws.next()).toMatchObject({ event: 'on_query' });
    ws.close();
  });
});
