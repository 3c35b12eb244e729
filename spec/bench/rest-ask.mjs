// A REST ask through the client beside the same request made with raw `fetch`.
// Target: the client's median within 1.10× of raw fetch's median.
import { firstValueFrom } from 'rxjs';
import { createClient, createSession } from 'kiss-ai-stack-rx';
import { startServerProcess } from './server-process.mjs';
import { interleave, median } from './stats.mjs';

export async function restAskBench() {
  const server = await startServerProcess();
  try {
    const client = createClient({ url: server.url });
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    const body = JSON.stringify({ query: 'How fast is this?' });
    const headers = { 'content-type': 'application/json', accept: 'application/json', Authorization: `Bearer ${auth.accessToken}` };

    const viaClient = () => firstValueFrom(client.ask(auth, 'How fast is this?'));
    const viaFetch = async () => {
      const response = await fetch(`${server.url}/queries`, { method: 'POST', headers, body });
      if (!response.ok) throw new Error(`raw fetch got ${response.status}`);
      return response.json();
    };
    const { a, b } = await interleave(viaClient, viaFetch);
    const c = median(a);
    const f = median(b);

    // The same ask through the composed session: guards, retry policy, token refresh, events.
    const session = createSession({ url: server.url });
    await firstValueFrom(session.open());
    const viaSession = () => firstValueFrom(session.ask('How fast is this?'));
    const composed = await interleave(viaSession, viaFetch);
    const s = median(composed.a);
    const f2 = median(composed.b);
    session.close();
    return [
      { name: 'REST ask (median per request)', client: c, baseline: f, unit: 'ms', ratio: c / f, target: 1.1 },
      { name: 'REST ask via session', client: s, baseline: f2, unit: 'ms', ratio: s / f2, target: 1.1 },
    ];
  } finally {
    await server.stop();
  }
}
