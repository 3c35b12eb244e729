// Big documents, streamed: a store's body is read and base64-encoded a chunk at a time while it is
// written, byte for byte what JSON.stringify would have built; progress is reported per document
// and overall; a resend after a stale keep-alive connection streams the whole body again; a
// cancelled or timed-out store stops mid-body and closes its file.
// The servers made here with node:http are hostile on purpose and written for this spec; the
// faithful one is lib/testing's.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, type Subscription } from 'rxjs';
import {
  Authorization,
  CancelledError,
  type ClientOptions,
  createClient,
  createSession,
  DocumentError,
  type FetchLike,
  type SessionActivity,
  type StoreProgress,
  KissTimeoutError,
  UnauthorizedError,
} from '../../lib';
import { startTestServer, type TestServer } from '../../lib/testing';
import { DOCUMENT_CHUNK_BYTES, prepareDocuments, type DocumentSource } from '../../lib/documents/document-source';
import { DocumentsPayload } from '../../lib/documents/documents-body';
import { progressReporter } from '../../lib/documents/progress';
import { streamedText } from '../../lib/protocol/streamed-body';
import { eventually } from '../support/eventually';
import { failure } from '../support/failure';
import { transportOption } from '../support/transports';

const dir = mkdtempSync(join(tmpdir(), 'kiss-streamed-'));
const ctx = { step: 'store' as const };
const MiB = 1024 * 1024;

/** Text of about `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters, so chunk cuts land inside characters. */
function mixedText(bytes: number): string {
  const pieces = ['KISS keeps it simple. ', 'é', '漢字', '😀', '\n'];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const piece = pieces[(i * 7919) % pieces.length]!;
    parts.push(piece);
    size += Buffer.byteLength(piece);
  }
  return parts.join('');
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Checks a progress sequence: never backwards, within bounds, ending at 100% exactly once. */
function expectWellFormedProgress(progress: readonly StoreProgress[], totalBytes: number): void {
  expect(progress.length).toBeGreaterThan(0);
  for (let i = 1; i < progress.length; i++) {
    const [a, b] = [progress[i - 1]!, progress[i]!];
    expect(b.bytesSent).toBeGreaterThanOrEqual(a.bytesSent);
    expect(b.fileIndex).toBeGreaterThanOrEqual(a.fileIndex);
    if (b.fileIndex === a.fileIndex) expect(b.fileBytesSent).toBeGreaterThan(a.fileBytesSent);
  }
  for (const p of progress) {
    expect(p.totalBytes).toBe(totalBytes);
    expect(p.fileBytesSent).toBeLessThanOrEqual(p.fileBytes);
    expect(p.bytesSent).toBeLessThanOrEqual(totalBytes);
  }
  expect(progress.at(-1)).toMatchObject({ bytesSent: totalBytes, totalBytes });
  expect(progress.filter((p) => p.bytesSent === totalBytes && p.fileIndex === progress.at(-1)!.fileIndex && p.fileBytesSent === p.fileBytes)).toHaveLength(1);
}

describe('the streamed store body', () => {
  const bodyOf = async (sources: DocumentSource | DocumentSource[], metadata: Record<string, unknown> = {}) =>
    new DocumentsPayload(await prepareDocuments(sources, ctx), metadata, ctx);

  it('is byte for byte what JSON.stringify builds, with its length known up front, at every pass', async () => {
    const pairAcrossSlices = `${'a'.repeat(DOCUMENT_CHUNK_BYTES / 3 - 1)}😀${'é'.repeat(70_000)}${'漢'.repeat(70_000)}`;
    const lone = 'lone \ud800 high, lone \udc00 low, two highs \ud800\ud800 and a pair at the end 😀';
    const path = join(dir, 'mixed.txt');
    writeFileSync(path, mixedText(3 * DOCUMENT_CHUNK_BYTES + 1));
    const sizes = [0, 1, 2, 3, 4, DOCUMENT_CHUNK_BYTES - 1, DOCUMENT_CHUNK_BYTES, DOCUMENT_CHUNK_BYTES + 1, 400_000];
    const sources: DocumentSource[] = [
      ...sizes.map((n) => ({ name: `bytes-${n}.bin`, data: new Uint8Array(randomBytes(n)) })),
      { name: 'a/b\\q"uote\\d.txt', data: pairAcrossSlices },
      { name: 'lone.txt', data: lone },
      { name: 'blob.bin', data: new Blob([randomBytes(400_001)]) },
      { name: 'buffer.bin', data: randomBytes(DOCUMENT_CHUNK_BYTES * 2 + 2).buffer },
      { name: 'view.bin', data: new Uint8Array(randomBytes(1000).buffer, 7, 500) },
      new File(['a file'], 'f.txt'),
      path,
    ];
    const metadata = { team: 'dócs', n: 1, nested: { list: [1, 'x"y', null], emoji: '😀' }, skipped: undefined };
    const body = await bodyOf(sources, metadata);

    const expected = JSON.stringify({
      files: await Promise.all(
        sources.map(async (s) => {
          if (typeof s === 'string') return { name: 'mixed.txt', content: readFileSync(s).toString('base64') };
          const data = s instanceof File ? s : s.data;
          const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data instanceof Blob ? Buffer.from(await data.arrayBuffer()) : Buffer.from(data as ArrayBuffer);
          return { name: s.name.split(/[\\/]/).pop(), content: bytes.toString('base64') };
        }),
      ),
      metadata,
    });
    const first = await streamedText(body);
    expect(first).toBe(expected);
    expect(body.byteLength).toBe(Buffer.byteLength(expected));
    expect(await streamedText(body)).toBe(expected); // a second pass, as a resend makes
    expect(body.files.map((f) => f.name)).toEqual([...sizes.map((n) => `bytes-${n}.bin`), 'd.txt', 'lone.txt', 'blob.bin', 'buffer.bin', 'view.bin', 'f.txt', 'mixed.txt']);
  });

  it('omits nothing and adds nothing for the default metadata', async () => {
    const body = await bodyOf({ name: 'x.txt', data: 'x' });
    expect(await streamedText(body)).toBe(JSON.stringify({ files: [{ name: 'x.txt', content: 'eA==' }], metadata: {} }));
  });

  it('reads a Blob in slices, never whole', async () => {
    const blob = new Blob([randomBytes(3 * DOCUMENT_CHUNK_BYTES + 5)]);
    const whole = jest.spyOn(blob, 'arrayBuffer');
    const slice = jest.spyOn(blob, 'slice');
    await streamedText(await bodyOf({ name: 'b.bin', data: blob }));
    expect(whole).not.toHaveBeenCalled();
    expect(slice).toHaveBeenCalledTimes(4);
  });

  it('fails with a DocumentError naming a file that changed size after it was checked', async () => {
    const grows = join(dir, 'grows.txt');
    writeFileSync(grows, 'abc');
    const body = await bodyOf(grows);
    appendFileSync(grows, 'def');
    const error = await failure(streamedText(body));
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as DocumentError).message).toMatch(/grows\.txt.*grew while it was being sent/);
    const shrinks = join(dir, 'shrinks.txt');
    writeFileSync(shrinks, 'abcdef');
    const shrinking = await bodyOf(shrinks);
    writeFileSync(shrinks, 'ab');
    expect(String(await failure(streamedText(shrinking)))).toMatch(/got shorter while it was being sent/);
  });

  it('checks every document before reading any: a missing file, a directory, an oversized document', async () => {
    const missing = join(dir, 'missing.pdf');
    expect(await failure(prepareDocuments([{ name: 'ok.txt', data: 'ok' }, missing], ctx))).toMatchObject({ kind: 'document', fileName: missing });
    expect(String(await failure(prepareDocuments(dir, ctx)))).toMatch(/is a directory/);
    expect(String(await failure(prepareDocuments({ name: 'big.txt', data: 'x'.repeat(11) }, ctx, 10)))).toMatch(/maxDocumentBytes/);
  });
});

describe('the progress reporter', () => {
  it('throttles to 1% steps, always reports a completed document, never goes backwards and ignores a throwing callback', () => {
    const seen: StoreProgress[] = [];
    const report = progressReporter(
      [
        { name: 'a', size: 1000 },
        { name: 'empty', size: 0 },
        { name: 'c', size: 500 },
      ],
      (p) => {
        seen.push(p);
        throw new Error('a broken progress bar');
      },
    );
    report(0, 5); // under 1% of 1500: not yet
    report(0, 20);
    report(0, 10); // backwards (a second pass): dropped
    report(0, 20); // the same again: dropped
    report(0, 1000);
    report(1, 0);
    report(2, 14); // under 1% since the last report
    report(2, 500);
    report(2, 500);
    expect(seen.map((p) => [p.file, p.fileBytesSent, p.bytesSent])).toEqual([
      ['a', 20, 20],
      ['a', 1000, 1000],
      ['empty', 0, 1000],
      ['c', 500, 1500],
    ]);
    expect(seen.at(-1)).toEqual({ file: 'c', fileIndex: 2, fileBytesSent: 500, fileBytes: 500, bytesSent: 1500, totalBytes: 1500 });
  });
});

describe('storing big documents against the test server', () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.stop());

  /** Stores, then asks: the test server's answer carries every stored document's text. */
  async function storedTexts(transport: 'rest' | 'socket', documents: DocumentSource[], options: Partial<ClientOptions> = {}) {
    const client = createClient({ url: server.url, transport: transportOption(transport), ...options });
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    const progress: StoreProgress[] = [];
    const stored = await firstValueFrom(client.store(auth, documents, { onProgress: (p) => progress.push(p) }));
    const answer = await firstValueFrom(client.ask(auth, 'what was stored?'));
    await firstValueFrom(client.destroy(auth));
    client.dispose();
    return { stored, progress, texts: (answer.supportingDocuments?.[0] ?? []) as string[] };
  }

  it('stores a multi-megabyte file from a path once and intact over node:http, with progress to 100%', async () => {
    const text = mixedText(6 * MiB);
    const path = join(dir, 'handbook.txt');
    writeFileSync(path, text);
    const size = Buffer.byteLength(text);
    const { stored, progress, texts } = await storedTexts('rest', [path]);
    expect(stored.fileNames).toEqual(['handbook.txt']);
    expect(stored.ids).toHaveLength(1);
    expect(texts).toHaveLength(1);
    expect(sha256(texts[0]!)).toBe(sha256(text));
    expectWellFormedProgress(progress, size);
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.length).toBeLessThanOrEqual(101);
  });

  it('stores several documents of every kind, reporting each one complete', async () => {
    const texts = [mixedText(MiB), mixedText(2 * MiB + 1), ''];
    const result = await storedTexts('rest', [
      { name: 'one.txt', data: texts[0]! },
      { name: 'two.txt', data: new Blob([texts[1]!]) },
      { name: 'empty.txt', data: new Uint8Array(0) },
    ]);
    expect(result.texts).toEqual(texts);
    const sizes = texts.map((t) => Buffer.byteLength(t));
    expectWellFormedProgress(result.progress, sizes[0]! + sizes[1]!);
    expect(result.progress.filter((p) => p.fileBytesSent === p.fileBytes).map((p) => p.file)).toEqual(['one.txt', 'two.txt', 'empty.txt']);
  });

  it('stores through fetch too: a big Blob read in slices and sent as a Blob body, a small store as a string', async () => {
    const bodies: unknown[] = [];
    const recording: FetchLike = (input, init) => {
      if (String(input).endsWith('/documents')) bodies.push(init.body);
      return fetch(input, init);
    };
    const big = mixedText(9 * MiB);
    const blob = new Blob([big]);
    const whole = jest.spyOn(blob, 'arrayBuffer');
    const result = await storedTexts('rest', [{ name: 'big.txt', data: blob }], { fetch: recording });
    expect(result.texts).toEqual([big]);
    expect(whole).not.toHaveBeenCalled();
    expect(bodies[0]).toBeInstanceOf(Blob);
    expectWellFormedProgress(result.progress, Buffer.byteLength(big));
    const small = await storedTexts('rest', [{ name: 'small.txt', data: 'small' }], { fetch: recording });
    expect(small.texts).toEqual(['small']);
    expect(typeof bodies[1]).toBe('string');
  });

  it('stores over the socket in one frame when it fits, and over REST, still streamed, when it does not', async () => {
    const fits = mixedText(2 * MiB);
    const inFrame = await storedTexts('socket', [{ name: 'fits.txt', data: fits }]);
    expect(inFrame.texts).toEqual([fits]);
    expectWellFormedProgress(inFrame.progress, Buffer.byteLength(fits));

    const tooBig = mixedText(3 * MiB);
    const path = join(dir, 'too-big.txt');
    writeFileSync(path, tooBig);
    const events: unknown[] = [];
    server.clearRequests();
    const overRest = await storedTexts('socket', [path], { socket: { maxFrameBytes: MiB, onEvent: (e) => events.push(e) } });
    expect(overRest.texts).toEqual([tooBig]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'store-over-rest', limit: MiB }));
    expect(server.requests.filter((r) => r.path === '/documents')).toHaveLength(1);
    expectWellFormedProgress(overRest.progress, Buffer.byteLength(tooBig));
  });

  it('fails a store naming a missing file before anything is sent, reporting no progress', async () => {
    const client = createClient({ url: server.url });
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    server.clearRequests();
    const present = join(dir, 'present.txt');
    writeFileSync(present, 'here');
    const missing = join(dir, 'not-there.pdf');
    const onProgress = jest.fn();
    const error = await failure(firstValueFrom(client.store(auth, [present, missing], { onProgress })));
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as DocumentError).fileName).toBe(missing);
    expect(onProgress).not.toHaveBeenCalled();
    expect(server.requests.filter((r) => r.path === '/documents')).toEqual([]);
    expect(server.clients.find((c) => c.id === auth.clientId)?.documents).toBe(0);
    await firstValueFrom(client.destroy(auth));
  });

  it('shows progress on a session: store-progress on events$ and the call option, the same reports', async () => {
    const text = mixedText(3 * MiB);
    const session = createSession({ url: server.url });
    await firstValueFrom(session.open());
    const events: SessionActivity[] = [];
    session.events$.subscribe((e) => events.push(e));
    const viaOption: StoreProgress[] = [];
    await firstValueFrom(session.store({ name: 'notes.txt', data: text }, { onProgress: (p) => viaOption.push(p) }));
    const viaEvents = events.filter((e): e is Extract<SessionActivity, { type: 'store-progress' }> => e.type === 'store-progress');
    expectWellFormedProgress(viaOption, Buffer.byteLength(text));
    expect(viaEvents.map(({ type, ...p }) => p)).toEqual(viaOption);
    expect(viaEvents.at(-1)).toMatchObject({ type: 'store-progress', file: 'notes.txt', fileIndex: 0 });
    // The answer's document text proves the store.
    expect((await firstValueFrom(session.ask('notes?'))).supportingDocuments).toEqual([[text]]);
    await firstValueFrom(session.destroy());
  });
});

// ——— hostile servers ———

interface Seen {
  connection: number;
  /** Requests this connection carried before this one. */
  previousOnConnection: number;
  path: string;
  /** Body bytes read so far. */
  bytes: number;
  /** True once the whole body arrived; false when the client gave up first. */
  complete?: boolean;
  /** The decoded store body, for a complete one. */
  body?: { files: { name: string; content: string }[]; metadata: unknown };
}

type Plan = (seen: Seen) => 'answer' | 'reset' | 'stall' | 'refuse-early';

/** A node:http server that answers like the stack, unless `plan` says to reset, stall (read none of the body until told) or answer 401 before reading it. */
async function hostileServer(plan: Plan): Promise<{ url: string; seen: Seen[]; readStalled(): void; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const stalled: IncomingMessage[] = [];
  const perConnection = new Map<Socket, { id: number; count: number }>();
  let connections = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const conn = perConnection.get(req.socket)!;
    const entry: Seen = { connection: conn.id, previousOnConnection: conn.count++, path: req.url ?? '', bytes: 0 };
    seen.push(entry);
    const action = plan(entry);
    if (action === 'reset') return void req.socket.destroy();
    if (action === 'refuse-early') {
      res.writeHead(401, { 'content-type': 'application/json' });
      return void res.end('{"detail":"Invalid or inactive session"}');
    }
    req.on('close', () => (entry.complete ??= false));
    if (action === 'stall') {
      stalled.push(req);
      return void req.pause();
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      entry.bytes += c.length;
      chunks.push(c);
    });
    req.on('end', () => {
      entry.complete = true;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { query?: string } & Seen['body'];
      const store = req.url === '/documents';
      if (store) entry.body = body as Seen['body'];
      const extras = store ? { documents: ['d1'] } : { query: body.query, metadata: null, distances: null, supporting_documents: null };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ stack_id: 's', result: store ? 'Files stored' : `Answer to "${body.query}"`, extras }));
    });
  });
  server.on('connection', (socket: Socket) => perConnection.set(socket, { id: ++connections, count: 0 }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    // A paused request cannot see its connection end: reading again lets the server notice the client left.
    readStalled: () => stalled.forEach((req) => req.resume()),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const auth = Authorization.fromToken('not-a-jwt', { clientId: 'c' });

/** Whether this process holds `path` open (Linux; undefined where /proc cannot tell). */
function holdsOpen(path: string): boolean | undefined {
  if (!existsSync('/proc/self/fd')) return undefined;
  return readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

describe('a streamed store over node:http meeting trouble', () => {
  it('re-streams the whole body on a fresh connection after a reset on a stale pooled one, storing it once and intact', async () => {
    const bytes = randomBytes(8 * MiB + 1); // binary: every byte value, cut at every boundary
    const path = join(dir, 'binary.bin');
    writeFileSync(path, bytes);
    // The second request on any connection is reset before a byte of it is read, as after the real server's 500.
    const server = await hostileServer((seen) => (seen.previousOnConnection === 1 ? 'reset' : 'answer'));
    try {
      const client = createClient({ url: server.url });
      await firstValueFrom(client.ask(auth, 'warm the pool'));
      const progress: StoreProgress[] = [];
      const stored = await firstValueFrom(client.store(auth, path, { metadata: { kind: 'binary' }, onProgress: (p) => progress.push(p) }));
      expect(stored.ids).toEqual(['d1']);
      expect(server.seen.map((s) => [s.connection, s.previousOnConnection, s.path])).toEqual([
        [1, 0, '/queries'],
        [1, 1, '/documents'], // reset: never read
        [2, 0, '/documents'], // the resend, on a connection of its own, from the first byte
      ]);
      const resent = server.seen[2]!;
      expect(resent.complete).toBe(true);
      expect(resent.body?.files.map((f) => f.name)).toEqual(['binary.bin']);
      expect(sha256(Buffer.from(resent.body!.files[0]!.content, 'base64'))).toBe(sha256(bytes));
      expect(resent.body?.metadata).toEqual({ kind: 'binary' });
      expectWellFormedProgress(progress, bytes.length);
      expect(holdsOpen(path)).not.toBe(true);
    } finally {
      await server.close();
    }
  });

  it.each(['signal', 'unsubscribe', 'timeout'] as const)('stops mid-body when the store is given up (%s), closing the file', async (how) => {
    const path = join(dir, `cancelled-${how}.bin`);
    writeFileSync(path, randomBytes(48 * MiB));
    const server = await hostileServer(() => 'stall');
    try {
      const client = createClient({ url: server.url });
      const controller = new AbortController();
      const progress: StoreProgress[] = [];
      let outcome: unknown = 'pending';
      const subscription: Subscription = client
        .store(auth, path, { onProgress: (p) => progress.push(p), signal: controller.signal, timeout: how === 'timeout' ? 1500 : 0 })
        .subscribe({ next: (v) => (outcome = v), error: (e: unknown) => (outcome = e) });
      await eventually(() => server.seen.length === 1 && progress.length > 0, 'the server to stall the store mid-body');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const before = progress.at(-1)!.bytesSent;
      expect(before).toBeLessThan(48 * MiB);
      if (how === 'signal') controller.abort();
      if (how === 'unsubscribe') subscription.unsubscribe();
      if (how === 'timeout') await eventually(() => outcome !== 'pending', 'the store to time out');
      server.readStalled();
      await eventually(() => server.seen[0]!.complete === false, 'the server to see the request abandoned');
      if (how === 'signal') expect(outcome).toBeInstanceOf(CancelledError);
      if (how === 'timeout') expect(outcome).toBeInstanceOf(KissTimeoutError);
      if (how === 'unsubscribe') expect(outcome).toBe('pending');
      if (holdsOpen(path) !== undefined) await eventually(() => holdsOpen(path) === false, 'the file to be closed');
      expect(progress.at(-1)!.bytesSent).toBeLessThan(48 * MiB);
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('stops sending when the server answers before reading the body, and the pool stays usable', async () => {
    const path = join(dir, 'refused.bin');
    writeFileSync(path, randomBytes(32 * MiB));
    const server = await hostileServer((seen) => (seen.path === '/documents' ? 'refuse-early' : 'answer'));
    try {
      const client = createClient({ url: server.url });
      const progress: StoreProgress[] = [];
      const error = await failure(firstValueFrom(client.store(auth, path, { onProgress: (p) => progress.push(p) })));
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(progress.at(-1)?.bytesSent ?? 0).toBeLessThan(32 * MiB);
      if (holdsOpen(path) !== undefined) await eventually(() => holdsOpen(path) === false, 'the file to be closed');
      expect((await firstValueFrom(client.ask(auth, 'still there?'))).text).toBe('Answer to "still there?"');
    } finally {
      await server.close();
    }
  });
});
