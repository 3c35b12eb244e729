// A TCP proxy on loopback in front of the test server that records each connection: the requests
// the client sent on it, whether an answer came back to the last one, and whether the client closed
// it. A cancelled REST call shows here as the client closing the connection of its request before
// any answer. It can also hold requests back until released, to keep a client waiting.
import { connect, createServer, type Socket } from 'node:net';

export interface WatchedConnection {
  /** The request line of each request the client sent on it (`POST /queries HTTP/1.1`). */
  requests: string[];
  /** Bytes the server sent back since the last request began. */
  answeredSinceLastRequest: number;
  /** True once the client closed (or destroyed) its side. */
  closedByClient: boolean;
}

/** Node writes a request's head in one chunk: a chunk that starts with a request line starts a request. */
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.1/;

/** The connection's last request was `method path`, it got no answer, and the client closed it. */
export const abandoned = (method: string, path: string) => (connection: WatchedConnection) =>
  connection.closedByClient && connection.answeredSinceLastRequest === 0 && (connection.requests.at(-1) ?? '').startsWith(`${method} ${path} `);

export interface WatchingProxy {
  /** `http://127.0.0.1:PORT`: give this to the client instead of the server's URL. */
  readonly url: string;
  readonly connections: readonly WatchedConnection[];
  /** Resolves once a connection passes `check` (checked again on every change). */
  waitFor(check: (connection: WatchedConnection) => boolean): Promise<WatchedConnection>;
  /** From now on, requests whose request line passes `check` (and what follows on their connection) wait in the proxy. */
  hold(check: (requestLine: string) => boolean): void;
  /** Sends on what was held, and holds nothing more. */
  release(): void;
  stop(): Promise<void>;
}

export async function startWatchingProxy(target: { host: string; port: number }): Promise<WatchingProxy> {
  const connections: WatchedConnection[] = [];
  const sockets = new Set<Socket>();
  const waiting = new Set<() => void>();
  const changed = () => [...waiting].forEach((test) => test());
  let holding: ((requestLine: string) => boolean) | undefined;
  const held = new Set<() => void>();
  const server = createServer((client) => {
    const watched: WatchedConnection = { requests: [], answeredSinceLastRequest: 0, closedByClient: false };
    connections.push(watched);
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    let queue: Buffer[] | undefined;
    const flush = () => {
      for (const chunk of queue ?? []) upstream.write(chunk);
      queue = undefined;
    };
    client.on('data', (chunk: Buffer) => {
      const head = REQUEST_LINE.exec(chunk.toString('latin1', 0, 200));
      if (head) {
        watched.requests.push(head[0]);
        watched.answeredSinceLastRequest = 0;
        if (!queue && holding?.(head[0])) {
          queue = [];
          held.add(flush);
        }
      }
      if (queue) queue.push(chunk);
      else upstream.write(chunk);
      changed();
    });
    upstream.on('data', (chunk: Buffer) => {
      watched.answeredSinceLastRequest += chunk.length;
      client.write(chunk);
      changed();
    });
    client.on('close', () => {
      watched.closedByClient = true;
      upstream.destroy();
      changed();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    waitFor: (check) =>
      new Promise((resolve) => {
        const test = () => {
          const found = connections.find(check);
          if (!found) return;
          waiting.delete(test);
          resolve(found);
        };
        waiting.add(test);
        test();
      }),
    hold: (check) => {
      holding = check;
    },
    release: () => {
      holding = undefined;
      for (const flush of held) flush();
      held.clear();
    },
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
