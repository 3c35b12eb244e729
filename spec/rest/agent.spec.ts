// A client given its own node:http agent sends every REST request through it, not through the
// shared keep-alive pool; a client without one never touches it.
import { Agent } from 'node:http';
import { firstValueFrom } from 'rxjs';
import { createClient, createSession } from '../../lib';
import { startTestServer, type TestServer } from '../../lib/testing';

class CountingAgent extends Agent {
  connections = 0;
  override createConnection(...args: Parameters<Agent['createConnection']>): ReturnType<Agent['createConnection']> {
    this.connections++;
    return super.createConnection(...args);
  }
}

describe('the agent option', () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.stop());

  it('sends a session\'s REST calls through the given agent, reusing its connections', async () => {
    const agent = new CountingAgent({ keepAlive: true });
    const session = createSession({ url: server.url, agent: { http: agent } });
    await firstValueFrom(session.open());
    for (let i = 0; i < 5; i++) await firstValueFrom(session.ask(`q${i}`));
    await firstValueFrom(session.destroy());
    expect(agent.connections).toBeGreaterThanOrEqual(1);
    expect(agent.connections).toBeLessThan(8); // 8 requests, kept alive on few connections
    agent.destroy();
  });

  it('leaves another client on the shared pool', async () => {
    const agent = new CountingAgent({ keepAlive: true });
    const mine = createClient({ url: server.url, agent: { http: agent } });
    const other = createClient({ url: server.url });
    await firstValueFrom(other.authorize({ scope: 'temporary' }));
    expect(agent.connections).toBe(0);
    await firstValueFrom(mine.authorize({ scope: 'temporary' }));
    expect(agent.connections).toBe(1);
    agent.destroy();
  });

  it('is not used when fetch is given', async () => {
    const agent = new CountingAgent({ keepAlive: true });
    const seen: string[] = [];
    const client = createClient({
      url: server.url,
      agent: { http: agent },
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    await firstValueFrom(client.authorize({ scope: 'temporary' }));
    expect(seen).toEqual([`${server.url}/auth`]);
    expect(agent.connections).toBe(0);
    agent.destroy();
  });
});
