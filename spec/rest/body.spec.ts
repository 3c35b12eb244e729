// JSON bodies over node:http go out as text, sized in bytes: a question outside ASCII reaches the
// server whole, on fresh and on pooled connections alike.
import { firstValueFrom } from 'rxjs';
import { createClient } from '../../lib';
import { startTestServer, type TestServer } from '../../lib/testing';

describe('a REST body over node:http', () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.stop());

  it('carries a question outside ASCII byte for byte, with its length in bytes', async () => {
    const client = createClient({ url: server.url });
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    // Two bytes, three bytes and four bytes per character: a length in characters would cut it short.
    for (const question of ['déjà vu?', '漢字は？', 'emoji 😀 and more 😀😀']) {
      const answer = await firstValueFrom(client.ask(auth, question));
      expect(answer.text).toBe(`Answer to "${question}"`);
      expect(server.requests.filter((r) => r.path === '/queries').at(-1)).toMatchObject({ question });
    }
    await firstValueFrom(client.destroy(auth));
  });
});
