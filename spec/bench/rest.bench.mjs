// REST asks through the client and through a session, beside the fastest honest alternative a
// user has in Node: raw node:http with a keep-alive agent (and raw fetch, for reference), on the
// same server, interleaved in one run.
import { Agent, request } from 'node:http';
import { firstValueFrom } from 'rxjs';
import { createClient, createSession } from 'kiss-ai-stack-rx';
import { interleave, median } from './stats.mjs';

const QUESTION = 'How fast is this?';
let setup;

/** One client, one open session and the raw baselines, made once for every row and repeat. */
async function prepare(server) {
  if (setup) return setup;
  const client = createClient({ url: server.url });
  const auth = await firstValueFrom(client.authorize({ scope: 'persistent' }));
  await firstValueFrom(client.bootstrap(auth));
  const session = createSession({ url: server.url, scope: 'persistent' });
  await firstValueFrom(session.open());
  const body = JSON.stringify({ query: QUESTION });
  const headers = { 'content-type': 'application/json', accept: 'application/json', Authorization: `Bearer ${auth.accessToken}` };
  const agent = new Agent({ keepAlive: true });
  const url = new URL(`${server.url}/queries`);
  const rawHttp = () =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`raw http got ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const rawFetch = async () => {
    const response = await fetch(url, { method: 'POST', headers, body });
    if (!response.ok) throw new Error(`raw fetch got ${response.status}`);
    return response.json();
  };
  setup = {
    viaClient: () => firstValueFrom(client.ask(auth, QUESTION)),
    viaSession: () => firstValueFrom(session.ask(QUESTION)),
    rawHttp,
    rawFetch,
  };
  return setup;
}

const ratio = async (server, pick, baseline) => {
  const s = await prepare(server);
  const { a, b } = await interleave(s[pick], s[baseline], { warmup: 1000, rounds: 1500 });
  return median(a) / median(b);
};

export const rows = [
  { name: 'REST ask round trip / raw node:http keep-alive', target: 1.1, better: 'lower', unit: '×', measure: ({ server }) => ratio(server, 'viaClient', 'rawHttp') },
  { name: 'REST ask via session / raw node:http keep-alive', target: 1.1, better: 'lower', unit: '×', measure: ({ server }) => ratio(server, 'viaSession', 'rawHttp') },
  { name: 'REST ask round trip / raw fetch', target: 1.1, better: 'lower', unit: '×', measure: ({ server }) => ratio(server, 'viaClient', 'rawFetch') },
];
