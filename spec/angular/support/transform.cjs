// Jest transformer for the Angular specs: TypeScript (ours) and Angular's ES modules (.mjs, which
// Angular ships only) become CommonJS through esbuild, already a dev dependency for the Node entry.
// Types are not checked here: spec/build/angular-types.spec.ts runs tsc over lib/angular and
// spec/angular, against the installed Angular and the latest one.
const { transformSync } = require('esbuild');
const { createHash } = require('node:crypto');
const { version } = require('esbuild/package.json');

module.exports = {
  process(source, path) {
    const { code, map } = transformSync(source, {
      loader: path.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: path,
      // Components in the specs use Angular's decorators the way Angular's own compiler expects them.
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
      logLevel: 'silent',
    });
    return { code, map };
  },
  getCacheKey(source, path) {
    return createHash('sha256').update(version).update('\0').update(path).update('\0').update(source).digest('hex');
  },
};
