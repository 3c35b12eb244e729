import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  // A TypeScript user's project importing both entries by name, as each moduleResolution finds
  // them: node10 (ts-jest's usual `module: commonjs`) reads no exports map, so the subpath needs
  // typesVersions; node16 and nodenext use the exports map's types, `require` for a .cts file and
  // `import` for an .mts one; bundler uses the `import` types.
  describe('types for a TypeScript consumer', () => {
    const consumer = `
      import { startTestServer, type AnswerScript, type QuestionAsked, type SeenRequest, type TestServer } from 'kiss-ai-stack-rx/testing';
      import { createSession, MissingGlobalError, type Answer } from 'kiss-ai-stack-rx';
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
    ])('type-checks imports of kiss-ai-stack-rx and kiss-ai-stack-rx/testing under moduleResolution %s', (resolution, module, files) => {
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
});
