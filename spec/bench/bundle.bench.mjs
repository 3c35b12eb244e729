// What the package costs before its first call: the size of a browser bundle of the main entry,
// and the time to import it in Node beside importing rxjs alone (which every user of this client
// loads anyway). Imports are timed in fresh `node` processes, the two sides interleaved, so the
// figure includes everything a cold start pays: resolving, reading, compiling, evaluating.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { interleave, median } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Fresh processes per side and figure, after one warm-up each (the OS file cache). */
const ROUNDS = 11;

/**
 * An app's module (`contents`) bundled as a browser app would bundle the installed package (esbuild, platform
 * browser, ESM, minified: the exports map and the `browser` field apply, so the Node-only modules
 * are swapped for their stand-ins), then gzipped at zlib's default level; in KB of 1024 bytes.
 * Everything the entries export is kept: no tree-shaking for an app that uses only part of them.
 */
async function bundleKb(contents) {
  const result = await build({
    stdin: { contents, resolveDir: root },
    // As an app would: the package by its name through node_modules, not this project's tsconfig paths.
    tsconfigRaw: {},
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return gzipSync(result.outputFiles[0].contents).length / 1024;
}

/** Runs `node <args>` in the package's folder to the end; fails when the import failed. */
function node(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`))));
  });
}

const esm = (specifier) => ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)});`];
const cjs = (specifier) => ['-e', `require(${JSON.stringify(specifier)});`];

/** Median wall time of a fresh process importing the built entry, over the same for rxjs alone. */
async function importRatio(entry, baseline) {
  const { a, b } = await interleave(() => node(entry), () => node(baseline), { warmup: 1, rounds: ROUNDS });
  return median(a) / median(b);
}

export const rows = [
  { name: 'browser bundle, min+gzip', target: 22, better: 'lower', unit: 'KB', measure: () => bundleKb("export * from 'kiss-ai-stack-rx';") },
  // What an app on the socket pays: the main entry with kiss-ai-stack-rx/socket. No target of its own.
  {
    name: 'browser bundle with kiss-ai-stack-rx/socket, min+gzip',
    better: 'lower',
    unit: 'KB',
    measure: () => bundleKb("export * from 'kiss-ai-stack-rx'; export * from 'kiss-ai-stack-rx/socket';"),
  },
  {
    name: 'import main entry / import rxjs, ESM',
    target: 1.25,
    better: 'lower',
    unit: '×',
    // By package name, as a Node app imports it: the exports map's `node` condition (dist/node).
    measure: () => importRatio(esm('kiss-ai-stack-rx'), esm('rxjs')),
  },
  {
    name: 'import main entry / import rxjs, CJS',
    target: 1.25,
    better: 'lower',
    unit: '×',
    measure: () => importRatio(cjs('kiss-ai-stack-rx'), cjs('rxjs')),
  },
];
