// A request written to a pooled connection the server had already closed meets a reset before any
// response byte: the server never read it, so the client sends it once more on a fresh connection
// (Node's documented `reusedSocket` case). Resets anywhere else are not resent for a store.
// The server here is hostile on purpose and written for this spec, not the faithful test server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { Authorization, createClient, TransportError } from '../../lib';
import { failure } from '../support/failure';

interface Seen {
  path: string;
  connection: number;
  /** How many requests this connection carried before this one. */
  previousOnConnection: number;
}

type Plan = (seen: Seen, req: IncomingMessage, res: ServerResponse) => 'answer' | 'reset' | 'reset-after-headers' | 'reset-after-body';

/** Answers every POST with a stack reply, unless `plan` says to reset. */
async function hostileServer(plan: Plan): Promise<{ url: string; seen: Seen[]; stored: number; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const perConnection = new Map<Socket, { id: number; count: number }>();
  let connections = 0;
  const state = { stored: 0 };
  const server: Server = createServer((req, res) => {
    const conn = perConnection.get(req.socket)!;
    const entry: Seen = { path: req.url ?? '', connection: conn.id, previousOnConnection: conn.count++ };
    seen.push(entry);
    const action = plan(entry, req, res);
    if (action === 'reset') return void req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (action === 'reset-after-body') return void req.socket.destroy();
      if (action === 'reset-after-headers') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        setImmediate(() => req.socket.destroy());
        return;
      }
      const query = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { query?: string }).query;
      if (req.url === '/documents') state.stored++;
      const extras = req.url === '/documents' ? { documents: ['d1'] } : { query, metadata: null, distances: null, supporting_documents: null };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ stack_id: 's', result: req.url === '/documents' ? 'Files stored' : `Answer to "${query}"`, extras }));
    });
  });
  server.on('connection', (socket: Socket) => perConnection.set(socket, { id: ++connections, count: 0 }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get stored() {
      return state.stored;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const auth = Authorization.fromToken('not-a-jwt', { clientId: 'c' });
const file = { name: 'a.txt', data: 'hello' };

describe('REST over node:http: a reset on a reused connection', () => {
  it.each(['ask', 'store'] as const)('resends %s once, on a fresh connection, when the pooled connection was already closed', async (step) => {
    // The second request on any connection is reset before a byte is read, as after the real server's 500.
    const server = await hostileServer((seen) => (seen.previousOnConnection === 1 ? 'reset' : 'answer'));
    try {
      const client = createClient({ url: server.url });
      await firstValueFrom(client.ask(auth, 'warm the pool'));
      if (step === 'ask') expect((await firstValueFrom(client.ask(auth, 'again'))).text).toBe('Answer to "again"');
      else expect((await firstValueFrom(client.store(auth, file))).ids).toEqual(['d1']);
      expect(server.seen.map((s) => [s.connection, s.previousOnConnection])).toEqual([
        [1, 0],
        [1, 1], // reset: never read
        [2, 0], // the resend, on a connection of its own
      ]);
      expect(server.stored).toBe(step === 'store' ? 1 : 0);
    } finally {
      await server.close();
    }
  });

  it('does not resend a request that met a reset on a fresh connection', async () => {
    const server = await hostileServer(() => 'reset');
    try {
      const error = await failure(firstValueFrom(createClient({ url: server.url }).ask(auth, 'q')));
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ reason: 'reset', context: { step: 'ask' } });
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('does not resend a store whose connection reset after response bytes arrived', async () => {
    const server = await hostileServer((seen) => (seen.previousOnConnection === 1 ? 'reset-after-headers' : 'answer'));
    try {
      const client = createClient({ url: server.url });
      await firstValueFrom(client.ask(auth, 'warm the pool'));
      const error = await failure(firstValueFrom(client.store(auth, file)));
      expect(error).toMatchObject({ kind: 'transport', reason: 'reset', context: { step: 'store' } });
      expect(server.seen).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('does not resend a large store the server read to the end before the reset (it may have stored it)', async () => {
    const server = await hostileServer((seen) => (seen.previousOnConnection === 1 ? 'reset-after-body' : 'answer'));
    try {
      const client = createClient({ url: server.url });
      await firstValueFrom(client.ask(auth, 'warm the pool'));
      const error = await failure(firstValueFrom(client.store(auth, { name: 'big.txt', data: 'x'.repeat(512 * 1024) })));
      expect(error).toMatchObject({ kind: 'transport', reason: 'reset', context: { step: 'store' } });
      expect(server.seen).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('resends at most once: a second reset fails the call', async () => {
    // Every request but the very first is reset: the pooled one, and the resend on its fresh connection.
    const server = await hostileServer((seen) => (seen.connection === 1 && seen.previousOnConnection === 0 ? 'answer' : 'reset'));
    try {
      const client = createClient({ url: server.url });
      await firstValueFrom(client.ask(auth, 'warm the pool'));
      const error = await failure(firstValueFrom(client.ask(auth, 'again')));
      expect(error).toMatchObject({ kind: 'transport', reason: 'reset' });
      expect(server.seen).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});
