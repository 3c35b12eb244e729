// A `fetch` that follows redirects by itself (a user's own, or a browser's XHR under Angular's
// HttpClient) has already sent the request wherever it was redirected. The client reads which URL
// answered: an answer from another origin is refused, one from the same origin is kept.
import { firstValueFrom } from 'rxjs';
import { createClient, HttpError, type FetchLike } from '../../lib';
import { startTestServer, type TestServer } from '../../lib/testing';
import { failure } from '../support/failure';

/** The real answer, reported as if it had come from `answeredBy` (a followed redirect). */
const followingTo =
  (answeredBy: (url: string) => string): FetchLike =>
  async (input, init) => {
    const response = await fetch(input, init);
    return { url: answeredBy(input), status: response.status, type: response.type, headers: response.headers, text: () => response.text() } as Response;
  };

describe('an answer the HTTP stack got by following a redirect', () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.stop());

  it('is refused when it came from another origin, with an error that says so', async () => {
    const client = createClient({ url: server.url, fetch: followingTo(() => 'http://127.0.0.2:9/auth') });
    const error = await failure(firstValueFrom(client.authorize({ scope: 'temporary' })));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toMatch(/during authorize was redirected to another origin, http:\/\/127\.0\.0\.2:9.*answer was refused/);
  });

  it('is kept when it came from the same origin', async () => {
    const client = createClient({ url: server.url, fetch: followingTo((url) => url.replace(/\/auth$/, '/auth-moved')) });
    await expect(firstValueFrom(client.authorize({ scope: 'temporary' }))).resolves.toMatchObject({ clientId: expect.any(String) });
  });
});
