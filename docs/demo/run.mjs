// `npm run demo`: runs docs/demo/demo.ts straight from the sources, with no build step. esbuild
// bundles it (the package's own modules from lib/, its dependencies left to node_modules) in well
// under a second, into node_modules/.cache, and the result is imported. Arguments pass through.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const outfile = join(root, 'node_modules/.cache/kiss-demo/demo.mjs');
mkdirSync(dirname(outfile), { recursive: true });
const started = Date.now();
process.stderr.write('demo: compiling docs/demo/demo.ts and lib/ with esbuild… ');
await build({
  entryPoints: [join(root, 'docs/demo/demo.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  alias: {
    'kiss-ai-stack-rx/testing': join(root, 'lib/testing/index.ts'),
    'kiss-ai-stack-rx/socket': join(root, 'lib/socket/index.ts'),
    'kiss-ai-stack-rx': join(root, 'lib/index.ts') },
  banner: { js: "import { createRequire as __demoRequire } from 'node:module'; const require = __demoRequire(import.meta.url);" },
  logLevel: 'warning',
});
process.stderr.write(`done in ${Date.now() - started} ms\n`);
await import(pathToFileURL(outfile).href);
