import { execFileSync, spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { installApp, installedCopies } from './consumer';
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

// rxjs is a peer dependency: an app on the oldest rxjs the package supports gets one copy of
// rxjs (its own), and the package's Observables are that copy's (instanceof and types agree).
describe('an app pinned to the oldest supported rxjs', () => {
  const oldest = (require('../../package.json') as { peerDependencies: { rxjs: string } }).peerDependencies.rxjs.replace(/^\^/, '');
  let app: string;
  beforeAll(() => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
    expect((require('../../node_modules/rxjs-oldest/package.json') as { version: string }).version).toBe(oldest);
    app = installApp(
      { rxjs: 'rxjs-oldest' },
      {
        // rxjs 7.4's exports map has no types, so an app on it resolves modules the node10 way
        // (its `typings` field); the package's types must work there too.
        'app.ts': `import { Observable, firstValueFrom, map } from 'rxjs';
import { createSession, type Answer, type Session } from 'kiss-ai-stack-rx';

export async function run(url: string): Promise<string> {
  const session: Session = createSession({ url });
  await firstValueFrom(session.open());
  const answer$: Observable<Answer> = session.ask('which rxjs?');
  const text$: Observable<string> = answer$.pipe(map((answer) => answer.text));
  const text = \`\${answer$ instanceof Observable} \${await firstValueFrom(text$)}\`;
  await firstValueFrom(session.destroy());
  return text;
}
`,
        'main.mjs': `import { startTestServer } from 'kiss-ai-stack-rx/testing';
import { run } from './app.mjs';
const server = await startTestServer();
console.log(await run(server.url));
await server.stop();
`,
        'tsconfig.json': JSON.stringify({
          compilerOptions: { target: 'ES2022', module: 'ES2022', moduleResolution: 'Node10', strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['ES2022', 'DOM'] },
          files: ['app.ts'],
        }),
      },
    );
  }, 180_000);

  it(`installs one rxjs, the app's ${oldest}`, () => {
    expect(installedCopies(app, 'rxjs')).toEqual([oldest]);
    expect(installedCopies(app, 'kiss-ai-stack-rx')).toHaveLength(1);
  });

  it('type-checks an app that pipes the package\'s Observables through its own rxjs', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs against the test server with the app\'s rxjs', () => {
    const js = transpileModule(readFileSync(join(app, 'app.ts'), 'utf8'), { compilerOptions: { module: ModuleKind.ESNext, target: ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(app, 'app.mjs'), js);
    const out = execFileSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8' });
    expect(out.trim()).toBe('true Answer to "which rxjs?"');
  });

  it('installs the kiss-stack command (package.json bin), which runs the demo with the app\'s rxjs', () => {
    const bin = join(app, 'node_modules/.bin/kiss-stack');
    const { version } = require('../../package.json') as { version: string };
    expect(execFileSync(bin, ['--version'], { cwd: app, encoding: 'utf8' })).toBe(`${version}\n`);
    expect(execFileSync(bin, ['demo'], { cwd: app, encoding: 'utf8' })).toMatch(/✔ ask +Answer to .* from kiss\.txt\n[\s\S]*done: the whole lifecycle ran\.\n$/);
  });
});
