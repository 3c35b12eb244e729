// kiss-ai-stack-rx/compat: the official JS client's README example, with only its import line
// changed, runs against the server (ours, or a real one with KISS_STACK_URL), over REST and the
// socket; concurrent calls on one WebSocketEvent each get their own answer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentError, isKissError, SessionMisuseError } from '../../lib';
import { RestEvent, WebSocketEvent } from '../../lib/compat';
import { hooks, startTarget, withHooks, type Target } from './target';

let target: Target;
let hostname: string;
let files: string[];
beforeAll(async () => {
  target = await startTarget({ latencyMs: 5 });
  hostname = new URL(target.url).host;
  const dir = mkdtempSync(join(tmpdir(), 'kiss-compat-'));
  files = ['document1.txt', 'document2.txt'].map((name, i) => {
    const path = join(dir, name);
    writeFileSync(path, `Example document ${i + 1}: the weather is mild.`);
    return path;
  });
});
afterAll(() => target.stop());

const secure = () => new URL(target.url).protocol === 'https:';

describe.each([
  ['RestEvent', RestEvent],
  ['WebSocketEvent', WebSocketEvent],
] as const)('%s', (_name, Event) => {
  it("runs the official README's example unchanged (object arguments)", async () => {
    // From the official README, with the placeholders filled in (host, files, the credentials).
    const client = new Event({ hostname, secureProtocol: secure() });
    let session = await client.authorizeStack({ scope: 'persistent' });
    session = await client.authorizeStack({ clientId: session.client_id, clientSecret: session.client_secret });
    const greeting = await client.bootstrapStack({ data: 'Hello, Stack!' });
    const weather = await client.generateAnswer({ data: 'What is the weather today?' });
    const metadata = { category: 'example' };
    const stored = await client.storeData({ files, metadata });
    const answer = await client.generateAnswer({ data: 'Give me a summary of example documents' });
    const bye = await client.destroyStack({ data: 'Goodbye!' });

    expect(Object.keys(session).sort()).toEqual(['access_token', 'client_id', 'client_secret']);
    expect(greeting).toEqual({ stack_id: session.client_id, result: 'Greetings!', extras: null });
    expect(typeof weather.result).toBe('string');
    expect(weather.extras).toMatchObject({ query: 'What is the weather today?' });
    expect(stored.result).toBe('Files stored');
    expect(Object.values(stored.extras ?? {}).flat()).toHaveLength(2);
    expect(answer.extras).toMatchObject({ query: 'Give me a summary of example documents' });
    expect(bye).toMatchObject({ stack_id: session.client_id, extras: null });
    expect(client.getSession()).toBeNull();
    if (target.deterministic) {
      expect(weather.result).toBe('Answer to "What is the weather today?"');
      expect(answer.result).toBe('Answer to "Give me a summary of example documents" from document1.txt, document2.txt');
      expect(answer.extras).toMatchObject({ supporting_documents: [[expect.stringContaining('Example document 1'), expect.stringContaining('Example document 2')]] });
    }
  });

  it("runs the official client's positional arguments", async () => {
    const client = new Event(hostname, secure());
    const session = await client.authorizeStack(undefined, undefined, 'temporary');
    expect(client.getSession()).toEqual(session);
    expect(session).toMatchObject({ scope: 'temporary', client_id: expect.any(String) });
    await client.bootstrapStack('Hello, Stack!');
    await client.storeData(files.slice(0, 1), { category: 'example' });
    const reply = await client.generateAnswer('What is stored?');
    expect(reply).toMatchObject({ stack_id: session.client_id, extras: { query: 'What is stored?' } });
    await client.destroyStack('Goodbye!');
  });

  it('fails a missing file with a DocumentError naming it, storing nothing', async () => {
    const client = new Event(hostname, secure());
    await client.authorizeStack({ scope: 'temporary' });
    await client.bootstrapStack();
    const missing = join(tmpdir(), 'no-such-kiss-document.txt');
    const error = await client.storeData([files[0]!, missing]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as DocumentError).fileName).toBe(missing);
    await client.destroyStack();
  });

  it('refuses calls before authorizeStack with a sentence saying so', async () => {
    const client = new Event({ hostname, secureProtocol: secure() });
    const error = await client.generateAnswer('too early').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionMisuseError);
    expect((error as Error).message).toMatch(/call authorizeStack first/);
  });

  withHooks('expireAllTokens', 'refreshes an expired token by itself, where the official client fails', async () => {
    const client = new Event(hostname, false);
    const first = await client.authorizeStack({ scope: 'persistent' });
    await client.bootstrapStack();
    hooks(target).expireAllTokens();
    const reply = await client.generateAnswer('still there?');
    expect(reply.result).toBe('Answer to "still there?"');
    // Over REST the 401 made it mint a new token; an open socket is not affected by expiry at all.
    // (Compared as a boolean: a failing matcher would print the token.)
    const refreshed = client.getSession()!.access_token !== first.access_token;
    expect(refreshed).toBe(Event === RestEvent);
    await client.destroyStack();
  });

  withHooks('failNext', 'retries a 503, where the official client fails', async () => {
    const client = new Event(hostname, false);
    await client.authorizeStack({ scope: 'temporary' });
    await client.bootstrapStack();
    hooks(target).failNext(1, 503);
    await expect(client.generateAnswer('after a 503')).resolves.toMatchObject({ result: 'Answer to "after a 503"' });
    await client.destroyStack();
  });

  it('keeps the token and the secret out of its errors', async () => {
    const client = new Event(hostname, secure());
    const session = await client.authorizeStack({ scope: 'temporary' });
    await client.bootstrapStack();
    await client.destroyStack();
    // The temporary client has ended: the next call fails, and says why without the secrets.
    const error = await client.generateAnswer('after the end').catch((e: unknown) => e);
    expect(isKissError(error)).toBe(true);
    const text = JSON.stringify(error) + String(error) + ((error as Error).stack ?? '');
    // Booleans, so that a failure does not print what it found.
    expect(text.includes(session.access_token)).toBe(false);
    expect(text.includes(session.client_secret!)).toBe(false);
  });
});

describe('20 concurrent generateAnswer calls on one WebSocketEvent', () => {
  it('each get their own answer', async () => {
    const client = new WebSocketEvent({ hostname, secureProtocol: secure() });
    await client.authorizeStack({ scope: 'temporary' });
    await client.bootstrapStack({ data: 'Hello, Stack!' });
    const questions = Array.from({ length: 20 }, (_, i) => `Question number ${i + 1}?`);
    const replies = await Promise.all(questions.map((data) => client.generateAnswer({ data })));
    expect(replies.map((reply) => (reply.extras as { query: string }).query)).toEqual(questions);
    if (target.deterministic) expect(replies.map((reply) => reply.result)).toEqual(questions.map((q) => `Answer to "${q}"`));
    await client.destroyStack();
  });
});
