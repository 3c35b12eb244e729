// The Node ESM entries (dist/node/index.mjs and socket.mjs), run by `npm run build` after tsc.
// Node's ESM loader is slow on many small files and on CommonJS packages (io-ts has no ES module
// build Node will load: it parses it to guess its exports). So for Node the entries are one chunk
// of the library, and io-ts's modules (`io-ts/lib/Guard.js`) are loaded with `require`. Browsers
// and bundlers keep dist/esm.
import { build } from 'esbuild';

const cjsOnly = /^io-ts(\/|$)/;

await build({
  // The socket transport has an entry of its own (so that browser apps on REST alone do not bundle
  // it); both entries share one chunk of the library, so that its classes and caches are one.
  entryPoints: { index: 'lib/index.ts', socket: 'lib/socket/index.ts' },
  outdir: 'dist/node',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // The published package carries no source maps: tsc's output is readable as it is.
  sourcemap: false,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __kissCreateRequire } from 'node:module';\nconst require = __kissCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'require-commonjs-packages',
      setup(b) {
        // `import * as G from 'io-ts/lib/Guard.js'` becomes a CommonJS shim that requires it: no
        // ESM loader work.
        b.onResolve({ filter: cjsOnly }, (args) => (args.namespace === 'cjs-package' ? { path: args.path, external: true } : { path: args.path, namespace: 'cjs-package' }));
        b.onLoad({ filter: /.*/, namespace: 'cjs-package' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js', resolveDir: process.cwd() }));
      },
    },
  ],
});
