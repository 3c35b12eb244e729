/**
 * esbuild bundles of the package for the specs that check what an app's bundle carries: from the
 * sources (an entry of lib/) or as an app bundles the installed package (by its name).
 */
import { build, type BuildResult, type Metafile, type OutputFile, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(__dirname, '../..');

/** What to bundle: an entry of lib/ (`index.ts`, `socket/index.ts`), or an app's own module text. */
export type BundleInput = { entry: string } | { app: string };

/** A bundle's output and metafile. */
export type Bundle = BuildResult & { metafile: Metafile; outputFiles: OutputFile[] };

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

/**
 * Bundles `input` as ESM for `platform` (browser unless said), in memory. An app's text resolves
 * the package by its name through node_modules (its exports map and `browser` field), not through
 * this project's tsconfig paths; an entry of lib/ for browsers gets the `browser` field's swaps too.
 */
export async function bundle(input: BundleInput, options: { platform?: 'browser' | 'node'; minify?: boolean; external?: string[] } = {}): Promise<Bundle> {
  const platform = options.platform ?? 'browser';
  return (await build({
    ...('entry' in input
      ? { entryPoints: [join(root, 'lib', input.entry)], plugins: platform === 'browser' ? [browserField] : [] }
      : { stdin: { contents: input.app, resolveDir: root }, tsconfigRaw: {} }),
    bundle: true,
    platform,
    format: 'esm',
    minify: options.minify ?? false,
    external: options.external,
    write: false,
    metafile: true,
    logLevel: 'silent',
  })) as Bundle;
}

/** The bundle's inputs (source files and packages' files, relative to the project). */
export const inputsOf = (result: Bundle): string[] => Object.keys(result.metafile.inputs);

/** The inputs that put bytes in the (single) output. */
export const carried = (result: Bundle): string[] =>
  Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
