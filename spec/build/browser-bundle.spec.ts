import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The most the minified main entry may weigh once gzipped (zlib's default level), in KB of 1024
 * bytes. The target is 22 KB; the bundle is at 29.9 KB with fp-ts's CommonJS copy, the
 * fetch ponyfill (41.0 KB before) and rxjs's higher-order machinery (33.3 KB before) gone, of
 * which rxjs is about 4 KB and io-ts 4.6 KB. So this budget catches a return of what was removed
 * (each is several KB) until the rest is brought down to the target; `npm run bench` reports the
 * figure against 22 KB.
 */
const GZIP_BUDGET_KB = 31;

const root = join(__dirname, '../..');

/**
 * The package's `browser` field applied to the sources, as a browser app bundling the package
 * gets it: lib/x.ts is replaced by lib/x.browser.ts wherever the field maps dist/esm/x.js.
 */
const browserField: Plugin = {
  name: 'browser-field-for-sources',
  setup(b) {
    const map = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { browser: Record<string, string> }).browser;
    const source = (dist: string) => join(root, 'lib', dist.replace(/^\.\/dist\/esm\//, '').replace(/\.js$/, '.ts'));
    const swaps = new Map(Object.entries(map).filter(([from]) => from.startsWith('./dist/esm/')).map(([from, to]) => [source(from), source(to)]));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const swap = swaps.get(resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')));
      return swap ? { path: swap } : undefined;
    });
  },
};

/** A minified ESM bundle for browsers, with its metafile. */
const minified = (entry: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'plugins'>) =>
  build({ ...entry, bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, logLevel: 'silent' });

/** The main entry as a browser app bundling the package gets it (the Node-only modules swapped), built once. */
let mainEntry: ReturnType<typeof minified> | undefined;
const mainEntryForApps = () => (mainEntry ??= minified({ entryPoints: [join(root, 'lib/index.ts')], plugins: [browserField] }));

/** The inputs that put bytes in the output. */
const carried = (metafile: Metafile) =>
  Object.entries(Object.values(metafile.outputs)[0]!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);

/**
 * RxJS's ObservableInput interop and async scheduler: what its higher-order operators (switchMap,
 * mergeMap, catchError, retry, defer, of, timer, shareReplay…) bring. lib/call/rx.ts stands in for
 * them, so the main entry carries none of it.
 */
const rxjsMachinery = /\/rxjs\/dist\/[^/]+\/internal\/(observable\/innerFrom|observable\/from|scheduler\/AsyncAction|scheduler\/AsyncScheduler|scheduler\/intervalProvider|ReplaySubject|operators\/mergeInternals|operators\/share|scheduled\/scheduled)\.js$/;

/**
 * tslib's generator and async-iterator helpers (which innerFrom brings from RxJS's ES5 build), by
 * the messages they throw. tslib itself stays: RxJS's ES5 classes need its __extends and friends.
 */
const tslibAsyncHelpers = /Generator is already executing|Symbol\.asyncIterator is not defined/;

// The main entry must bundle for browsers: nothing it imports may pull in a Node built-in.
describe('main entry in a browser bundle', () => {
  it('bundles with platform browser and reaches no Node built-in', async () => {
    const result = await build({
      entryPoints: [join(root, 'lib/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('lib/client/kiss-client.ts'))).toBe(true);
    expect(inputs.some((i) => i.includes('lib/socket/multiplexed-socket.ts'))).toBe(true);
    expect(inputs.filter((i) => /^node:|\/jose\//.test(i))).toEqual([]);
    // `ws` must resolve to its browser stub (the global WebSocket is used there), not its Node code
    expect(inputs.filter((i) => /\/ws\//.test(i))).toEqual([expect.stringMatching(/\/ws\/browser\.js$/)]);
    // No fetch ponyfill (the runtime's global fetch is used), so no node-fetch either
    expect(inputs.filter((i) => /cross-fetch|node-fetch|whatwg-fetch/.test(i))).toEqual([]);
  });

  it('carries io-ts\'s ESM build and one copy of fp-ts, and stays within its gzip budget', async () => {
    const result = await mainEntryForApps();
    const inputs = Object.keys(result.metafile.inputs);
    // io-ts resolves to its ESM build, and fp-ts only through the ESM modules io-ts imports itself:
    // an import of fp-ts/lib/… in lib/ would add fp-ts's CommonJS build beside it (27 KB minified).
    expect(inputs.some((i) => i.includes('/io-ts/es6/'))).toBe(true);
    expect(inputs.filter((i) => /\/(fp-ts|io-ts)\/lib\//.test(i))).toEqual([]);
    const gzipKb = gzipSync(result.outputFiles[0]!.contents).length / 1024;
    expect(gzipKb).toBeLessThanOrEqual(GZIP_BUDGET_KB);
  });

  it("carries none of RxJS's higher-order machinery: no ObservableInput interop, no async scheduler, no ReplaySubject", async () => {
    const result = await mainEntryForApps();
    expect(Object.keys(result.metafile.inputs).filter((i) => /async-scheduler/.test(i))).toEqual(['lib/call/async-scheduler.browser.ts']);
    const inputs = carried(result.metafile);
    expect(inputs.some((i) => /\/rxjs\/.*\/Observable\.js$/.test(i))).toBe(true);
    expect(inputs.filter((i) => rxjsMachinery.test(i))).toEqual([]);
    expect(result.outputFiles[0]!.text).not.toMatch(tslibAsyncHelpers);
  });

  it("finds RxJS's machinery when it is there (the check can fail)", async () => {
    const result = await minified({ stdin: { contents: "export { switchMap, shareReplay, timer } from 'rxjs';", resolveDir: root } });
    expect(carried(result.metafile).filter((i) => rxjsMachinery.test(i)).length).toBeGreaterThanOrEqual(5);
    expect(result.outputFiles[0]!.text).toMatch(tslibAsyncHelpers);
  });

  it('fails when something does pull in a Node built-in (the check can fail)', async () => {
    await expect(
      build({ stdin: { contents: "import 'node:fs';", resolveDir: __dirname }, bundle: true, platform: 'browser', write: false, logLevel: 'silent' }),
    ).rejects.toThrow(/node:fs/);
  });
});
