// The main entry in a real browser (Debian's Chromium, driven by playwright-core): a page served
// from one origin runs the whole lifecycle against the test server on another, with CORS on.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../lib/testing';

const CHROMIUM = process.env.KISS_CHROMIUM ?? '/usr/bin/chromium';
// CI installs Chromium and sets KISS_REQUIRE_BROWSER=1, so there a missing browser fails the run;
// elsewhere this suite is reported as skipped, with the reason in its title.
const available = existsSync(CHROMIUM) || process.env.KISS_REQUIRE_BROWSER === '1';
const describeBrowser = available ? describe : describe.skip;

jest.setTimeout(60_000);

const page = (bundle: string, url: string) => `<!doctype html><meta charset="utf-8"><title>kiss</title>
<script>${bundle}</script>
<script>
  const { createClient, isKissError } = KissRx;
  const { firstValueFrom } = KissRx.rxjs;
  (async () => {
    const client = createClient({ url: ${JSON.stringify(url)} });
    const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
    await firstValueFrom(client.bootstrap(auth));
    const file = new File(['Browsers store documents too.'], 'from-the-browser.txt');
    const stored = await firstValueFrom(client.store(auth, [file, { name: 'blob.txt', data: new Blob(['a blob']) }]));
    const answer = await firstValueFrom(client.ask(auth, 'What did the browser store?'));
    let pathError;
    try { await firstValueFrom(client.store(auth, './local/path.txt')); } catch (e) { pathError = isKissError(e) ? e.kind + ': ' + e.message : String(e); }
    await firstValueFrom(client.destroy(auth));
    return { stored: stored.fileNames, answer: answer.text, docs: answer.supportingDocuments, pathError };
  })().then((r) => (window.__result = r), (e) => (window.__result = { error: String(e && e.message || e), cause: String(e && e.cause) }));
</script>`;

describeBrowser(available ? `in Chromium (${CHROMIUM})` : `in Chromium: SKIPPED, no browser at ${CHROMIUM} (apt-get install chromium)`, () => {
  let server: TestServer;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ cors: true });
    const bundled = await build({
      stdin: {
        contents: "export * from './lib/index.ts'; export * as rxjs from 'rxjs';",
        resolveDir: join(__dirname, '../..'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'KissRx',
      write: false,
      logLevel: 'silent',
    });
    const html = page(bundled.outputFiles[0]!.text, server.url);
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://localhost:${(site.address() as { port: number }).port}/`; // another origin than 127.0.0.1
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await server?.stop();
  });

  it('runs authorize → bootstrap → store (File, Blob) → ask → destroy cross-origin', async () => {
    const tab = await browser.newPage();
    await tab.goto(siteUrl);
    await tab.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined);
    const result = await tab.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result);
    expect(result).not.toHaveProperty('error'); // (on failure, the diff shows the error and its cause)
    expect(result.stored).toEqual(['from-the-browser.txt', 'blob.txt']);
    expect(result.answer).toBe('Answer to "What did the browser store?" from from-the-browser.txt, blob.txt');
    expect(JSON.stringify(result.docs)).toContain('Browsers store documents too.');
    expect(result.pathError).toMatch(/^document: .*only Node can read/);
    // the preflights really happened: the browser asked before each JSON POST
    expect(server.requests.some((r) => r.method === 'OPTIONS')).toBe(true);
  });
});
