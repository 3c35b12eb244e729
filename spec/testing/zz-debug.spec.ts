import { startTestServer } from '../../lib/testing';
import { post } from './helpers';
it('dbg', async () => {
  const server = await startTestServer();
  server.setLatency(60_000);
  const c = new AbortController();
  const p = fetch(`${server.url}/auth`, { method: 'POST', body: '{"scope":"temporary"}', signal: c.signal }).catch((e) => console.log('aborted', String(e)));
  await server.waitForRequest((r) => r.path === '/auth');
  c.abort();
  await p;
  server.setLatency(0);
  const t0 = Date.now();
  const r = await post(server.url, '/auth', { scope: 'temporary' });
  console.log(r.status, Date.now() - t0);
  await server.stop();
}, 10000);
