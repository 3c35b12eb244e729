// The socket transport beside raw `ws` doing the same work on the same server, interleaved:
// serial round trips, and 1,000 asks in flight with the client's default options.
import WebSocket from 'ws';
import { firstValueFrom } from 'rxjs';
import { createClient } from 'kiss-ai-stack-rx';
import { socketTransport } from 'kiss-ai-stack-rx/socket';
import { interleave, median } from './stats.mjs';

const PIPELINED = 1000;
let setup;

/**
 * A raw ws connection that answers one awaited frame per request, in order (the baseline). Without
 * permessage-deflate, as the client's own sockets: the server (the test server, as the real one)
 * would otherwise compress every frame, a cost a user who cares turns off.
 */
async function rawSocket(url, token) {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waiting = [];
  ws.on('message', (data) => waiting.shift()(JSON.parse(String(data))));
  const ask = (query) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      ws.send(JSON.stringify({ event: 'on_query', data: { query } }));
    });
  return { ask, close: () => ws.close() };
}

async function prepare(server) {
  if (setup) return setup;
  // Default options: what a user gets without tuning.
  const client = createClient({ url: server.url, transport: socketTransport });
  const auth = await firstValueFrom(client.authorize({ scope: 'persistent' }));
  await firstValueFrom(client.bootstrap(auth));
  const raw = await rawSocket(server.wsUrl, auth.accessToken);
  setup = { client, auth, raw };
  return setup;
}

const questions = Array.from({ length: PIPELINED }, (_, i) => `pipelined question ${i}`);

export const rows = [
  {
    name: 'socket serial round trip / raw ws',
    target: 1.1,
    better: 'lower',
    unit: '×',
    async measure({ server }) {
      const { client, auth, raw } = await prepare(server);
      const { a, b } = await interleave(() => firstValueFrom(client.ask(auth, 'serial question')), () => raw.ask('serial question'), { warmup: 3000, rounds: 1500 });
      return median(a) / median(b);
    },
  },
  {
    name: `socket pipelined, ${PIPELINED} in flight, default options / raw ws`,
    target: 0.9,
    better: 'higher',
    unit: '×',
    async measure({ server }) {
      const { client, auth, raw } = await prepare(server);
      const { a, b } = await interleave(
        () => Promise.all(questions.map((q) => firstValueFrom(client.ask(auth, q)))),
        () => Promise.all(questions.map((q) => raw.ask(q))),
        { warmup: 10, rounds: 60 },
      );
      // throughput ratio: raw's time over the client's
      return median(b) / median(a);
    },
  },
];
