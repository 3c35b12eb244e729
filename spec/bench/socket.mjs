// The socket transport beside raw `ws` doing the same work on the same server:
// - serial round trip: one ask at a time (target: client median within 1.15× of raw ws);
// - pipelined throughput: 1,000 asks in flight at once (target: at least 0.85× raw ws's asks/s).
import WebSocket from 'ws';
import { firstValueFrom } from 'rxjs';
import { createClient } from 'kiss-ai-stack-rx';
import { startServerProcess } from './server-process.mjs';
import { interleave, median } from './stats.mjs';

const PIPELINED = 1000;

/** A raw ws connection that answers one awaited frame per request, in order (the baseline). */
async function rawSocket(url, token) {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
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

export async function socketBench() {
  const server = await startServerProcess();
  try {
    const client = createClient({ url: server.url, transport: 'socket', socket: { maxInFlight: PIPELINED } });
    const auth = await firstValueFrom(client.authorize({ scope: 'persistent' }));
    await firstValueFrom(client.bootstrap(auth));
    const raw = await rawSocket(server.wsUrl, auth.accessToken);

    const serial = await interleave(
      () => firstValueFrom(client.ask(auth, 'serial question')),
      () => raw.ask('serial question'),
    );
    const serialClient = median(serial.a);
    const serialRaw = median(serial.b);

    const questions = Array.from({ length: PIPELINED }, (_, i) => `pipelined question ${i}`);
    const pipelined = await interleave(
      () => Promise.all(questions.map((q) => firstValueFrom(client.ask(auth, q)))),
      () => Promise.all(questions.map((q) => raw.ask(q))),
      { warmup: 5, rounds: 30 },
    );
    const throughputClient = PIPELINED / (median(pipelined.a) / 1000);
    const throughputRaw = PIPELINED / (median(pipelined.b) / 1000);

    raw.close();
    client.dispose();
    return [
      { name: 'socket serial round trip (median)', client: serialClient, baseline: serialRaw, unit: 'ms', ratio: serialClient / serialRaw, target: 1.15 },
      {
        name: `socket pipelined, ${PIPELINED} in flight`,
        client: throughputClient,
        baseline: throughputRaw,
        unit: '/s',
        ratio: throughputClient / throughputRaw,
        target: 0.85,
        higherIsBetter: true,
      },
    ];
  } finally {
    await server.stop();
  }
}
