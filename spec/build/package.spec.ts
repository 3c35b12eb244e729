import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { bundle, inputsOf } from '../support/bundle';
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

  it('has ESM, CJS and declarations for every entry', () => {
    for (const entry of ['index', 'testing/index', 'compat/index', 'angular/index']) {
      for (const file of [`dist/esm/${entry}.js`, `dist/esm/${entry}.d.ts`, `dist/cjs/${entry}.js`, `dist/cjs/${entry}.d.ts`]) {
        expect(existsSync(join(root, file))).toBe(true);
      }
    }
    expect(JSON.parse(readFileSync(join(root, 'dist/esm/package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(JSON.parse(readFileSync(join(root, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('loads through require and import by package name', () => {
    const cjs = run(['-e', "const m = require('kiss-ai-stack-rx'); const t = require('kiss-ai-stack-rx/testing'); const c = require('kiss-ai-stack-rx/compat'); const s = require('kiss-ai-stack-rx/socket'); console.log(typeof m.createClient, typeof t.startTestServer, typeof m.KissError, typeof c.RestEvent, s.socketTransport.kind)"]);
    expect(cjs.trim()).toBe('function function function function socket');
    const esm = run(['--input-type=module', '-e', "import { createClient, KissError } from 'kiss-ai-stack-rx'; import { startTestServer } from 'kiss-ai-stack-rx/testing'; import { WebSocketEvent } from 'kiss-ai-stack-rx/compat'; import { socketTransport } from 'kiss-ai-stack-rx/socket'; console.log(typeof createClient, typeof startTestServer, typeof KissError, typeof WebSocketEvent, socketTransport.kind)"]);
    expect(esm.trim()).toBe('function function function function socket');
  });

  it('packs only what users need: the builds, the README and the LICENSE', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/esm/index.js', 'dist/cjs/index.js', 'dist/node/index.mjs', 'dist/esm/compat/index.d.ts']));
    expect(files.filter((file) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(file))).toEqual([]);
    expect(files.filter((file) => /\.map$|\.spec\.|(^|\/)spec\//.test(file))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ license: 'MIT', scripts: { prepack: 'npm run build' }, repository: expect.any(Object), keywords: expect.any(Array) });
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
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
       import { socketTransport } from 'kiss-ai-stack-rx/socket';
       import { startTestServer } from 'kiss-ai-stack-rx/testing';
       const server = await startTestServer();
       const client = createClient({ url: server.url });
       const auth = await firstValueFrom(client.authorize({ scope: 'temporary' }));
       console.log((await firstValueFrom(client.bootstrap(auth))).message);
       const socket = createClient({ url: server.url, transport: socketTransport });
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
       const { socketTransport } = require('kiss-ai-stack-rx/socket');
       const { startTestServer } = require('kiss-ai-stack-rx/testing');
       (async () => {
         const server = await startTestServer();
         const rest = createClient({ url: server.url });
         const auth = await firstValueFrom(rest.authorize({ scope: 'temporary' }));
         const socket = createClient({ url: server.url, transport: socketTransport });
         console.log((await firstValueFrom(socket.bootstrap(auth))).message);
         console.log((await firstValueFrom(rest.ask(auth, 'over http'))).text);
         await firstValueFrom(socket.destroy(auth));
         await server.stop();
       })();`,
    ]);
    expect(out.trim().split('\n')).toEqual(['Greetings!', 'Answer to "over http"']);
  });

  // The `browser` field swaps the Node-only modules (node:http requests, file paths, `ws`, the
  // check for RxJS's asyncScheduler) for stand-ins, so a browser app bundling the package carries
  // none of their code; and io-ts's CommonJS modules, which lib/ imports so that Node loads
  // dist/esm too, for their ES modules, which bundlers tree-shake.
  it('maps every Node-only module to a browser stand-in exporting the same names', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { browser: Record<string, string> };
    const pairs = Object.entries(pkg.browser).filter(([node]) => node.startsWith('./'));
    expect(pairs.length).toBe(8);
    const ioTs = Object.entries(pkg.browser).filter(([node]) => !node.startsWith('./'));
    expect(ioTs).toEqual([['io-ts/lib/Guard.js', 'io-ts/es6/Guard.js']]);
    for (const [, browser] of ioTs) expect(existsSync(require.resolve(browser, { paths: [root] }))).toBe(true);
    for (const [node, browser] of pairs) {
      const exportsOf = (file: string) =>
        run(['-e', `console.log(Object.keys(require(${JSON.stringify(join(root, file))})).sort().join(','))`]).trim();
      if (node.startsWith('./dist/cjs/')) expect(exportsOf(browser)).toBe(exportsOf(node));
      expect(existsSync(join(root, browser))).toBe(true);
    }
    // Both entries, as an app on the socket bundles them.
    const app = "export * from 'kiss-ai-stack-rx'; export * from 'kiss-ai-stack-rx/socket';";
    const bundled = await bundle({ app });
    const inputs = inputsOf(bundled);
    expect(inputs.filter((i) => /node-http|read-path|node-web-socket|async-scheduler/.test(i)).sort()).toEqual([
      'dist/esm/call/async-scheduler.browser.js',
      'dist/esm/documents/read-path.browser.js',
      'dist/esm/rest/node-http.browser.js',
      'dist/esm/socket/node-web-socket.browser.js',
    ]);
    expect(inputs.filter((i) => /\/ws\//.test(i))).toEqual([]);
    expect(inputs.filter((i) => /\/io-ts\//.test(i) && !/\/io-ts\/es6\//.test(i))).toEqual([]);
    // The same bundle for Node keeps the real modules: the map is for browsers only.
    const forNode = await bundle({ app }, { platform: 'node', external: ['rxjs', 'io-ts', 'fp-ts', 'ws'] });
    expect(inputsOf(forNode).filter((i) => /\.browser\.js$/.test(i))).toEqual([]);
  });

  // A TypeScript user's project importing the entries by name, as each moduleResolution finds
  // them: node10 (ts-jest's usual `module: commonjs`) reads no exports map, so the subpath needs
  // typesVersions; node16 and nodenext use the exports map's types, `require` for a .cts file and
  // `import` for an .mts one; bundler uses the `import` types.
  describe('types for a TypeScript consumer', () => {
    const consumer = `
      import { startTestServer, type AnswerScript, type QuestionAsked, type SeenRequest, type TestServer } from 'kiss-ai-stack-rx/testing';
      import { createSession, MissingGlobalError, type Answer } from 'kiss-ai-stack-rx';
      import { socketTransport, type SocketTransportChoice } from 'kiss-ai-stack-rx/socket';
      const script: AnswerScript = ({ question, documents }: QuestionAsked) => ({ text: question, documents: documents.map((d) => ({ text: d.text })) });
      export async function run(): Promise<[string | undefined, readonly string[] | undefined, Answer['text']]> {
        const server: TestServer = await startTestServer({ answer: script });
        const session = createSession({ url: server.url });
        const seen: readonly SeenRequest[] = server.requests;
        await server.stop();
        session.close();
        return [seen[0]?.question, seen[0]?.files, new MissingGlobalError('TextEncoder', 'to test').globalName];
      }
      // @ts-expect-error the types are really loaded (not any): a wrong option is an error
      void startTestServer({ answer: 42 });
      export const overSocket = (url: string) => createSession({ url, transport: socketTransport });
      // @ts-expect-error the socket entry's types are loaded too
      export const notAChoice: SocketTransportChoice = { kind: 'rest' };
    `;
    let app: string;
    beforeAll(() => {
      app = mkdtempSync(join(tmpdir(), 'kiss-types-'));
      mkdirSync(join(app, 'node_modules'));
      symlinkSync(root, join(app, 'node_modules', 'kiss-ai-stack-rx'), 'dir');
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    });
    afterAll(() => rmSync(app, { recursive: true, force: true }));

    it.each([
      ['node10', 'commonjs', ['index.ts']],
      ['node16', 'node16', ['index.cts', 'index.mts']],
      ['nodenext', 'nodenext', ['index.cts', 'index.mts']],
      ['bundler', 'esnext', ['index.ts']],
    ])('type-checks imports of kiss-ai-stack-rx, kiss-ai-stack-rx/socket and kiss-ai-stack-rx/testing under moduleResolution %s', (resolution, module, files) => {
      const dir = join(app, resolution);
      mkdirSync(dir, { recursive: true });
      for (const file of files) writeFileSync(join(dir, file), consumer);
      const compilerOptions = {
        module,
        moduleResolution: resolution,
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true, // as most apps do; the consumer's own code is what must type-check
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
      };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
      const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--listFiles'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(tsc.stdout.split('\n').filter((line) => /error TS/.test(line))).toEqual([]);
      expect(tsc.status).toBe(0);
      // each entry's types come from the build: dist/cjs for require, dist/esm for import
      const entries = tsc.stdout.split('\n').filter((file) => /\/dist\/(cjs|esm)\/(testing\/)?index\.d\.ts$/.test(file)).map((file) => file.slice(root.length)).sort();
      const builds = files.map((file) => (file.endsWith('.mts') || resolution === 'bundler' ? 'esm' : 'cjs'));
      expect(entries).toEqual(builds.flatMap((build) => [`/dist/${build}/index.d.ts`, `/dist/${build}/testing/index.d.ts`]).sort());
    });
  });

  it('never loads Angular from the main or testing entry', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const outside = ['dist/esm', 'dist/cjs', 'dist/node'].flatMap(files).filter((f) => /\.(m?js|d\.ts)$/.test(f) && !/\/angular\//.test(f));
    expect(outside.length).toBeGreaterThan(50);
    expect(outside.filter((f) => readFileSync(join(root, f), 'utf8').includes('@angular/'))).toEqual([]);
  });

  describe('kiss-ai-stack-rx/angular, installed in an application', () => {
    // As in an application's node_modules: a copy of the built package beside its dependencies
    // (links to this project's), so the entry's own import of 'kiss-ai-stack-rx' finds the package
    // by its name, as the user's code does. Angular's packages are partially compiled and meant
    // to be linked by the application's build; plain Node needs the JIT compiler loaded first.
    let app: string;
    beforeAll(() => {
      app = mkdtempSync(join(tmpdir(), 'kiss-angular-app-'));
      const installed = join(app, 'node_modules/kiss-ai-stack-rx');
      mkdirSync(installed, { recursive: true });
      cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true });
      cpSync(join(root, 'package.json'), join(installed, 'package.json'));
      for (const name of readdirSync(join(root, 'node_modules'))) {
        if (name !== '.bin' && name !== 'kiss-angular-latest') symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name));
      }
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    });
    afterAll(() => rmSync(app, { recursive: true, force: true }));
    const inApp = (args: string[]) => execFileSync(process.execPath, ['--no-warnings', ...args], { cwd: app, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

    const exportsOf = ['provideKissSession', 'injectKissSession', 'injectKissSignals', 'KISS_SESSION', 'KissSessionSignals', 'lazySession', 'httpClientFetch', 'resolvePageUrl', 'answerSources'];

    it('loads through import, sharing the main entry with the application', () => {
      const out = inApp([
        '--input-type=module',
        '-e',
        `import '@angular/compiler';
         import * as angular from 'kiss-ai-stack-rx/angular';
         import { KissError } from 'kiss-ai-stack-rx';
         let sameClasses = false;
         try { angular.resolvePageUrl('/kiss', undefined); } catch (error) { sameClasses = error instanceof KissError; }
         console.log(Object.keys(angular).sort().join(','), sameClasses);`,
      ]);
      expect(out.trim()).toBe(`${[...exportsOf].sort().join(',')} true`);
    });

    it('loads through require (Node 20.19+ requires Angular’s ES modules)', () => {
      const out = inApp(['-e', "require('@angular/compiler'); const angular = require('kiss-ai-stack-rx/angular'); const { KissError } = require('kiss-ai-stack-rx'); let same = false; try { angular.resolvePageUrl('/kiss'); } catch (e) { same = e instanceof KissError; } console.log(Object.keys(angular).sort().join(','), same)"]);
      expect(out.trim()).toBe(`${[...exportsOf].sort().join(',')} true`);
    });

    it('runs a lazy session from the built entry against the test server', () => {
      const out = inApp([
        '--input-type=module',
        '-e',
        `import '@angular/compiler';
         import { firstValueFrom } from 'rxjs';
         import { createSession } from 'kiss-ai-stack-rx';
         import { lazySession, answerSources } from 'kiss-ai-stack-rx/angular';
         import { startTestServer } from 'kiss-ai-stack-rx/testing';
         const server = await startTestServer();
         const session = lazySession(createSession({ url: server.url }));
         await firstValueFrom(session.store({ name: 'a.txt', data: 'Alpha.' }, { metadata: { team: 'docs' } }));
         const answer = await firstValueFrom(session.ask('built?'));
         console.log(JSON.stringify(answerSources(answer)));
         await firstValueFrom(session.destroy());
         await server.stop();`,
      ]);
      expect(JSON.parse(out.trim())).toEqual([{ text: 'Alpha.', metadata: { team: 'docs' }, distance: 0.1 }]);
    });
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

// What `npm install kiss-ai-stack-rx rxjs` gives a new app, from the packed tarball: every entry
// (main, testing, compat, angular) runs from it, as ESM and CommonJS.
describe('the packed package, installed in a fresh app', () => {
  let app: string;
  let url: string;
  let stopServer: () => void;
  beforeAll(async () => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
    app = installApp({ rxjs: 'rxjs', '@angular/core': '@angular/core', '@angular/common': '@angular/common', '@angular/compiler': '@angular/compiler' });
    // One test server for the app's scripts, itself from the installed testing entry.
    const server = spawn(process.execPath, ['--input-type=module', '-e', "import { startTestServer } from 'kiss-ai-stack-rx/testing'; const s = await startTestServer(); console.log(s.url);"], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'] });
    stopServer = () => server.kill();
    url = await new Promise<string>((resolve) => server.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk).trim())));
  }, 240_000);
  afterAll(() => stopServer?.());
  const inApp = (args: string[]) => execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();

  it('runs a session from the main entry, as ESM and as CommonJS', () => {
    const session = `const s = createSession({ url: ${JSON.stringify(url)} }); await firstValueFrom(s.open()); console.log((await firstValueFrom(s.ask('from the tarball'))).text); await firstValueFrom(s.destroy());`;
    expect(inApp(['--input-type=module', '-e', `import { createSession } from 'kiss-ai-stack-rx'; import { firstValueFrom } from 'rxjs'; ${session}`])).toBe('Answer to "from the tarball"');
    expect(inApp(['-e', `const { createSession } = require('kiss-ai-stack-rx'); const { firstValueFrom } = require('rxjs'); (async () => { ${session} })();`])).toBe('Answer to "from the tarball"');
  });

  it('runs the compat entry', () => {
    const host = new URL(url).host;
    const code = `const c = new RestEvent(${JSON.stringify(host)}, false); await c.authorizeStack({ scope: 'temporary' }); await c.bootstrapStack('hi'); console.log((await c.generateAnswer('compat?')).result); await c.destroyStack();`;
    expect(inApp(['--input-type=module', '-e', `import { RestEvent } from 'kiss-ai-stack-rx/compat'; ${code}`])).toBe('Answer to "compat?"');
    expect(inApp(['-e', `const { RestEvent } = require('kiss-ai-stack-rx/compat'); (async () => { ${code} })();`])).toBe('Answer to "compat?"');
  });

  // The CLI as the issue tries it: `npx kiss-stack …` in the app that installed the tarball.
  const npx = (args: string[], options: { input?: string } = {}) =>
    spawnSync('npx', ['--no-install', 'kiss-stack', ...args], { cwd: app, encoding: 'utf8', input: options.input });

  it('runs `npx kiss-stack ask` and prints the answer; --json output parses', () => {
    const plain = npx(['ask', 'What is KISS?', '--url', url]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe('Answer to "What is KISS?"\n');
    const json = npx(['ask', 'As JSON?', '--url', url, '--json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ question: 'As JSON?', text: 'Answer to "As JSON?"' });
  });

  it('shows a progress bar for `npx kiss-stack store big.bin` on a terminal, and none when piped', () => {
    writeFileSync(join(app, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
    // `script` runs the command on a pseudo-terminal, as a user's shell would.
    const command = `npx --no-install kiss-stack store big.bin --url ${url}`;
    const onTerminal = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: app, encoding: 'utf8' });
    expect(onTerminal.status).toBe(0);
    expect(onTerminal.stdout).toMatch(/big\.bin \(1\/1\)\s+\[#{20}\]\s+3\.0 MiB of 3\.0 MiB\s+100%/);
    expect(onTerminal.stdout).toMatch(/stored big\.bin/);
    const piped = npx(['store', 'big.bin', '--url', url]);
    expect(piped.status).toBe(0);
    expect(piped.stderr).not.toMatch(/\[[#.]+\]/);
    expect(piped.stdout).toMatch(/^stored big\.bin/);
  });

  it('exits non-zero with usage for bad flags', () => {
    const bad = npx(['ask', '--no-such-flag']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/usage/i);
  });

  it('runs the angular entry (its lazy session and typed sources)', () => {
    const out = inApp([
      '--input-type=module',
      '-e',
      `import '@angular/compiler';
       import { firstValueFrom } from 'rxjs';
       import { createSession } from 'kiss-ai-stack-rx';
       import { lazySession, answerSources } from 'kiss-ai-stack-rx/angular';
       const session = lazySession(createSession({ url: ${JSON.stringify(url)} }));
       await firstValueFrom(session.store({ name: 'a.txt', data: 'Alpha.' }));
       console.log(JSON.stringify(answerSources(await firstValueFrom(session.ask('lazy?'))).map((s) => s.text)));
       await firstValueFrom(session.destroy());`,
    ]);
    expect(out).toBe('["Alpha."]');
  });
});
