import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('has ESM, CJS and declarations for every entry', () => {
    for (const entry of ['index', 'testing/index', 'angular/index']) {
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
