import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const run = (args: string[], input?: string) =>
  execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });

// `npm run build` yields ESM, CJS and .d.ts, reachable through the package's exports map.
describe('the built package', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
  }, 120_000);

  it('has ESM, CJS and declarations for both entries', () => {
    for (const entry of ['index', 'testing/index']) {
      for (const file of [`dist/esm/${entry}.js`, `dist/esm/${entry}.d.ts`, `dist/cjs/${entry}.js`, `dist/cjs/${entry}.d.ts`]) {
        expect(existsSync(join(root, file))).toBe(true);
      }
    }
    expect(JSON.parse(readFileSync(join(root, 'dist/esm/package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(JSON.parse(readFileSync(join(root, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('loads through require and import by package name', () => {
    const cjs = run(['-e', "const m = require('kiss-ai-stack-rx'); const t = require('kiss-ai-stack-rx/testing'); console.log(typeof m.createClient, typeof t.startTestServer, typeof m.KissError)"]);
    expect(cjs.trim()).toBe('function function function');
    const esm = run(['--input-type=module', '-e', "import { createClient, KissError } from 'kiss-ai-stack-rx'; import { startTestServer } from 'kiss-ai-stack-rx/testing'; console.log(typeof createClient, typeof startTestServer, typeof KissError)"]);
    expect(esm.trim()).toBe('function function function');
  });

  it('recognises an error from the CommonJS build in the ESM build, and back', () => {
    const out = run([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       import * as esm from 'kiss-ai-stack-rx';
       const cjs = createRequire(process.cwd() + '/')('kiss-ai-stack-rx');
       const fromCjs = new cjs.ServerError(503, 'busy');
       const fromEsm = new esm.KissTimeoutError(5);
       console.log(cjs.ServerError !== esm.ServerError, esm.isKissError(fromCjs), fromCjs instanceof esm.HttpError, cjs.isKissError(fromEsm), fromEsm instanceof cjs.KissTimeoutError, fromEsm instanceof cjs.ServerError);`,
    ]);
    expect(out.trim()).toBe('true true true true true false');
  });

  it('exports no name that rxjs also exports', () => {
    const names = (specifier: string) => JSON.parse(run(['-e', `console.log(JSON.stringify(Object.keys(require('${specifier}'))))`])) as string[];
    const rxjs = new Set(names('rxjs'));
    expect(rxjs.has('TimeoutError')).toBe(true);
    expect(names('kiss-ai-stack-rx').filter((name) => rxjs.has(name))).toEqual([]);
  });

  it('runs a real request from the ESM build against the test server', () => {
    const out = run([
      '--input-type=module',
      '-e',
      `import { firstValueFrom } from 'rxjs';
       import { createClient } from 'kiss-ai-stack-rx';
       import { startTestServer } from 'kiss-ai-stack-rx/testing';
       const server = await startTestServer();
       const client = createClient({ url: server.url });
       const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
       console.log((await firstValueFrom(client.bootstrap(auth))).message);
       const socket = createClient({ url: server.url, transport: 'socket' });
       console.log((await firstValueFrom(socket.ask(auth, 'over ws'))).text);
       await firstValueFrom(socket.destroy(auth));
       socket.dispose();
       await server.stop();`,
    ]);
    expect(out.trim().split('\n')).toEqual(['Greetings!', 'Answer to "over ws"']);
  });

  it('runs REST and socket requests from the CommonJS build', () => {
    const out = run([
      '-e',
      `const { firstValueFrom } = require('rxjs');
       const { createClient } = require('kiss-ai-stack-rx');
       const { startTestServer } = require('kiss-ai-stack-rx/testing');
       (async () => {
         const server = await startTestServer();
         const rest = createClient({ url: server.url });
         const auth = await firstValueFrom(rest.authorize({ scope: 'temporary' }));
         const socket = createClient({ url: server.url, transport: 'socket' });
         console.log((await firstValueFrom(socket.bootstrap(auth))).message);
         console.log((await firstValueFrom(rest.ask(auth, 'over http'))).text);
         await firstValueFrom(socket.destroy(auth));
         await server.stop();
       })();`,
    ]);
    expect(out.trim().split('\n')).toEqual(['Greetings!', 'Answer to "over http"']);
  });

  // The `browser` field swaps the Node-only modules (node:http requests, file paths, `ws`) for
  // stand-ins, so a browser app bundling the package carries none of their code.
  it('maps every Node-only module to a browser stand-in exporting the same names', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { browser: Record<string, string> };
    const pairs = Object.entries(pkg.browser);
    expect(pairs.length).toBe(6);
    for (const [node, browser] of pairs) {
      const exportsOf = (file: string) =>
        run(['-e', `console.log(Object.keys(require(${JSON.stringify(join(root, file))})).sort().join(','))`]).trim();
      if (node.startsWith('./dist/cjs/')) expect(exportsOf(browser)).toBe(exportsOf(node));
      expect(existsSync(join(root, browser))).toBe(true);
    }
    const bundled = await build({
      stdin: { contents: "export * from 'kiss-ai-stack-rx';", resolveDir: root },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(bundled.metafile.inputs);
    expect(inputs.filter((i) => /node-http|read-path|node-web-socket/.test(i)).sort()).toEqual(
      ['dist/esm/documents/read-path.browser.js', 'dist/esm/rest/node-http.browser.js', 'dist/esm/socket/node-web-socket.browser.js'],
    );
    expect(inputs.filter((i) => /\/ws\//.test(i))).toEqual([]);
    // The same bundle for Node keeps the real modules: the map is for browsers only.
    const forNode = await build({
      stdin: { contents: "export * from 'kiss-ai-stack-rx';", resolveDir: root },
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['rxjs', 'io-ts', 'fp-ts', 'rxjs-websockets', 'ws'],
    });
    expect(Object.keys(forNode.metafile.inputs).filter((i) => /\.browser\.js$/.test(i))).toEqual([]);
  });
});
