#!/usr/bin/env node
// Soak, run by `npm run soak` (never by `npm test`): the built client (dist/esm) asks 50,000
// questions (SOAK_ASKS) over one socket, with bounded concurrency, against a hostile socket server
// in this process that randomly drops sockets and sometimes swaps two answers. Prints one line:
// asks, drops, swaps, misroutes, failures and heap growth. Misroutes (an ask that succeeds with
// another ask's answer) must be 0; so must asks that never settle.
//
//   SOAK_ASKS=50000 SOAK_CONCURRENCY=200 SOAK_DROP=0.001 SOAK_SWAP=0.002 SOAK_SEED=1 npm run soak
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { firstValueFrom } from 'rxjs';
import { createClient } from '../../dist/esm/index.js';
import { socketTransport } from '../../dist/esm/socket/index.js';

const ASKS = Number(process.env.SOAK_ASKS ?? 50_000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 200);
const DROP = Number(process.env.SOAK_DROP ?? 0.001); // per frame: drop the socket instead of answering
const SWAP = Number(process.env.SOAK_SWAP ?? 0.002); // per frame: hold this answer and send it after the next
const STALL_MS = Number(process.env.SOAK_STALL_MS ?? 60_000); // no settlement for this long: a hang

// A small seeded generator, so a run can be repeated.
let seed = Number(process.env.SOAK_SEED ?? 1) >>> 0 || 1;
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};

// ——— the hostile server: POST /auth over REST, GET /ws upgraded, answers in order unless it drops or swaps ———

const b64url = (value) => Buffer.from(value).toString('base64url');
const tokens = new Map();
function token(clientId) {
  const t = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: clientId, scope: 'temporary', exp: Math.floor(Date.now() / 1000) + 3600 }))}.${b64url(randomBytes(32))}`;
  tokens.set(t, clientId);
  return t;
}

const counts = { drops: 0, swaps: 0, sockets: 0, frames: 0 };
const http = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/auth') {
      const clientId = `soak-${randomBytes(4).toString('hex')}`;
      const reply = JSON.stringify({ access_token: token(clientId), client_id: clientId, client_secret: randomBytes(16).toString('hex') });
      res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    }
  });
});
const wss = new WebSocketServer({ noServer: true });
http.on('upgrade', (req, socket, head) => {
  const clientId = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
  if (req.url !== '/ws' || !clientId) return socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  wss.handleUpgrade(req, socket, head, (ws) => serve(ws, clientId));
});

function serve(ws, clientId) {
  counts.sockets++;
  let held; // an answer held back, to go out after the next one
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    counts.frames++;
    let frame;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return ws.send(JSON.stringify({ error: true, status_code: 400, detail: 'Invalid data' }));
    }
    if (random() < DROP) {
      counts.drops++;
      return ws.terminate();
    }
    const query = frame?.data?.query;
    const reply =
      frame.event === 'on_query'
        ? { event: 'on_query', result: { stack_id: clientId, result: `Answer to "${query}"`, extras: { query, metadata: null, distances: null, supporting_documents: null } } }
        : { event: frame.event, result: { stack_id: clientId, result: frame.event === 'on_init' ? 'Greetings!' : 'Good bye!', extras: null } };
    const text = JSON.stringify(reply);
    if (held === undefined && random() < SWAP) {
      counts.swaps++;
      held = text;
      // If no next frame comes soon, send it anyway (then it is merely late, not swapped).
      setTimeout(() => {
        if (held === text) {
          held = undefined;
          if (ws.readyState === ws.OPEN) ws.send(text);
        }
      }, 20).unref();
      return;
    }
    ws.send(text);
    if (held !== undefined) {
      const late = held;
      held = undefined;
      ws.send(late);
    }
  });
}

await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${http.address().port}`;

// ——— the client ———

const gc = globalThis.gc;
const heapMB = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const rest = createClient({ url });
const auth = await firstValueFrom(rest.authorize({ scope: 'temporary' }));
const client = createClient({
  url,
  transport: socketTransport,
  timeout: 0, // no per-call timeout: the stall watchdog below turns a hang into a failure
  socket: { reconnectDelay: 5, maxReconnectDelay: 50, reconnectAttempts: 10, pingInterval: 0 },
});

// Warm up, so the heap measured afterwards holds the client's steady state, not its first allocations.
for (let i = 0; i < Math.min(500, ASKS); i++) await firstValueFrom(client.ask(auth, `warm-up ${i}`)).catch(() => undefined);
const heapBefore = heapMB();
const started = Date.now();

const result = { answered: 0, misroutes: 0, failures: 0, failureKinds: new Map(), settled: 0 };
let next = 0;
let lastSettled = Date.now();

function askOne(i) {
  const question = `soak question ${i}`;
  return firstValueFrom(client.ask(auth, question)).then(
    (answer) => {
      if (answer.text === `Answer to "${question}"`) result.answered++;
      else result.misroutes++;
    },
    (error) => {
      result.failures++;
      const kind = `${error?.name ?? 'Error'}${error?.closure ? `:${error.closure}` : error?.reason ? `:${error.reason}` : ''}`;
      result.failureKinds.set(kind, (result.failureKinds.get(kind) ?? 0) + 1);
    },
  ).finally(() => {
    result.settled++;
    lastSettled = Date.now();
  });
}

async function worker() {
  while (next < ASKS) await askOne(next++);
}

let stalled = false;
const watchdog = setInterval(() => {
  if (Date.now() - lastSettled > STALL_MS) stalled = true;
}, 1000);
await Promise.race([
  Promise.all(Array.from({ length: Math.min(CONCURRENCY, ASKS) }, worker)),
  new Promise((resolve) => {
    const check = setInterval(() => {
      if (stalled) {
        clearInterval(check);
        resolve();
      }
    }, 250);
    check.unref();
  }),
]);
clearInterval(watchdog);
const seconds = (Date.now() - started) / 1000;
client.dispose();
rest.dispose();
const heapAfter = heapMB();

const unsettled = ASKS - result.settled;
const kinds = [...result.failureKinds].map(([k, n]) => `${k}=${n}`).join(',') || 'none';
console.log(
  `soak: asks=${ASKS} answered=${result.answered} misroutes=${result.misroutes} failures=${result.failures} (${kinds}) unsettled=${unsettled} ` +
    `drops=${counts.drops} swaps=${counts.swaps} sockets=${counts.sockets} frames=${counts.frames} ` +
    `heapGrowthMB=${(heapAfter - heapBefore).toFixed(1)}${gc ? '' : ' (no --expose-gc: not after gc)'} time=${seconds.toFixed(1)}s`,
);

for (const ws of wss.clients) ws.terminate();
wss.close();
http.closeAllConnections();
http.close();
process.exitCode = result.misroutes === 0 && unsettled === 0 ? 0 : 1;
