/**
 * esbuild bundles of the package for the specs that check what an app's bundle carries: from the
 * sources (an entry of lib/) or as an app bundles the installed package (by its name).
 */
import { build, type BuildResult, type Metafile, type OutputFile } from 'esbuild';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/** What to bundle: an entry of lib/ (`index.ts`, `socket/index.ts`), or an app's own module text. */
export type BundleInput = { entry: string } | { app: string };

/** A bundle's output and metafile. */
export type Bundle = BuildResult & { metafile: Metafile; outputFiles: OutputFile[] };

/**
 * Bundles `input` as ESM for `platform` (browser unless said), in memory. An app's text resolves
 * the package by its name through node_modules (its exports map and `browser` field), not through
 * this project's tsconfig paths.
 */
export async function bundle(input: BundleInput, options: { platform?: 'browser' | 'node'; minify?: boolean; external?: string[] } = {}): Promise<Bundle> {
  return (await build({
    ...('entry' in input ? { entryPoints: [join(root, 'lib', input.entry)] } : { stdin: { contents: input.app, resolveDir: root }, tsconfigRaw: {} }),
    bundle: true,
    platform: options.platform ?? 'browser',
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
