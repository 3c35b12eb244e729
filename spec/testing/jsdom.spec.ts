/**
 * @jest-environment jsdom
 */
// The testing kit in a user's own jest suite under the jsdom environment (how Angular and React
// apps run jest): loaded as the user loads it, by package name through the exports map, from the
// package as installed in an app (spec/support/installed-package.ts).
import { dirname, join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import type WebSocketClass from 'ws';
import { installPackage, type InstalledPackage } from '../support/installed-package';
import { nodeRequest } from './helpers';

type Testing = typeof import('../../lib/testing');
type Client = typeof import('../../lib');

let installed: InstalledPackage;
let testing: Testing;
let client: Client;
beforeAll(() => {
  installed = installPackage();
  testing = require(require.resolve('kiss-ai-stack-rx/testing', { paths: [installed.app] })) as Testing;
  client = require(require.resolve('kiss-ai-stack-rx', { paths: [installed.app] })) as Client;
}, 60_000);
afterAll(() => installed.remove());

/** A token for a new temporary client, asked over node:http (jsdom has no fetch). */
async function token(url: string): Promise<string> {
  const answer = await nodeRequest(`${url}/auth`, { body: JSON.stringify({ scope: 'temporary' }) });
  if (!answer.ok || answer.status !== 200) throw new Error(`authorize failed: ${JSON.stringify(answer)}`);
  return (JSON.parse(answer.text) as { access_token: string }).access_token;
}

describe('kiss-ai-stack-rx/testing under jest-environment-jsdom', () => {
  it("runs where a user's jsdom suite runs: a window, no TextEncoder, the kit from its CommonJS build", () => {
    expect(typeof window).toBe('object');
    expect(typeof (globalThis as { TextEncoder?: unknown }).TextEncoder).toBe('undefined');
    expect(require.resolve('kiss-ai-stack-rx/testing', { paths: [installed.app] })).toMatch(/kiss-ai-stack-rx[\\/]dist[\\/]cjs[\\/]testing[\\/]index\.js$/);
  });

  it('starts the test server (its socket server included) and issues a token', async () => {
    const server = await testing.startTestServer();
    try {
      expect((await token(server.url)).split('.')).toHaveLength(3);
      expect(server.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /auth 200']);
    } finally {
      await server.stop();
    }
  });

  it('serves a session of the client over REST: open, ask, destroy', async () => {
    const server = await testing.startTestServer();
    try {
      const session = client.createSession({ url: server.url });
      await firstValueFrom(session.open());
      expect((await firstValueFrom(session.ask('What is KISS?'))).text).toBe('Answer to "What is KISS?"');
      await firstValueFrom(session.destroy());
      expect(server.requests.map((r) => `${r.path} ${r.status}`)).toEqual(['/auth 200', '/sessions 200', '/queries 200', '/sessions 200']);
    } finally {
      await server.stop();
    }
  });

  it("runs a user's test: a scripted answer, an ask, a jsdom File stored, the request log asserted", async () => {
    const server = await testing.startTestServer({
      answer: ({ question, documents }) =>
        documents.length === 0 ? 'Store the handbook first.' : { text: `${documents[0]!.name} says: 25 days`, documents: [{ text: documents[0]!.text, metadata: { question } }] },
    });
    try {
      const session = client.createSession({ url: server.url });
      await firstValueFrom(session.open());
      expect((await firstValueFrom(session.ask('How many days of leave?'))).text).toBe('Store the handbook first.');
      const handbook = new File(['Leave: 25 days a year.'], 'handbook.txt', { type: 'text/plain' });
      const progress: number[] = [];
      const stored = await firstValueFrom(session.store([handbook], { metadata: { team: 'hr' }, onProgress: (p) => progress.push(p.bytesSent) }));
      expect(stored.fileNames).toEqual(['handbook.txt']);
      expect(progress.at(-1)).toBe(handbook.size);
      const answer = await firstValueFrom(session.ask('How many days of leave?'));
      expect(answer).toMatchObject({ text: 'handbook.txt says: 25 days', supportingDocuments: [['Leave: 25 days a year.']], metadata: [[{ question: 'How many days of leave?' }]] });
      await firstValueFrom(session.destroy());

      expect(server.requests.filter((r) => r.question !== undefined).map((r) => r.question)).toEqual(['How many days of leave?', 'How many days of leave?']);
      expect(server.requests.find((r) => r.path === '/documents')).toMatchObject({ status: 200, files: ['handbook.txt'], metadata: { team: 'hr' } });
      expect(server.clients.filter((c) => c.scope === 'temporary' && c.active)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it("serves a session of the client over the socket, where ws resolves to its browser stub", async () => {
    const server = await testing.startTestServer();
    try {
      const { socketTransport } = require(require.resolve('kiss-ai-stack-rx/socket', { paths: [installed.app] })) as typeof import('../../lib/socket');
      const session = client.createSession({ url: server.url, transport: socketTransport });
      await firstValueFrom(session.open());
      const answers = await Promise.all(['one?', 'two?', 'three?'].map((q) => firstValueFrom(session.ask(q))));
      expect(answers.map((a) => a.text)).toEqual(['Answer to "one?"', 'Answer to "two?"', 'Answer to "three?"']);
      await firstValueFrom(session.destroy());
      expect(server.requests.filter((r) => r.transport === 'ws' && r.question !== undefined).map((r) => r.question)).toEqual(['one?', 'two?', 'three?']);
    } finally {
      await server.stop();
    }
  });

  it('answers socket frames', async () => {
    // The client end: `ws` by the path of its Node entry (under jsdom, `ws` by name is its browser stub).
    const WebSocket = require(join(dirname(require.resolve('ws/package.json')), 'index.js')) as typeof WebSocketClass;
    const server = await testing.startTestServer();
    try {
      const ws = new WebSocket(server.wsUrl, { headers: { Authorization: `Bearer ${await token(server.url)}` } });
      const answer = new Promise<unknown>((resolve, reject) => {
        ws.once('message', (data) => resolve(JSON.parse(String(data))));
        ws.once('error', reject);
      });
      ws.once('open', () => ws.send(JSON.stringify({ event: 'on_init', data: { query: 'hi' } })));
      expect(await answer).toMatchObject({ event: 'on_init', result: { result: 'Greetings!' } });
      ws.close();
    } finally {
      await server.stop();
    }
  });
});
