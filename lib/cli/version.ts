/**
 * The package's version, for `kiss-stack --version`.
 * @module
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'kiss-ai-stack-rx';

/**
 * The version in this package's package.json, found by walking up from `script` (the running
 * bin, links resolved: `node_modules/.bin/kiss-stack` links into the package), or `unknown`.
 * It reads the file rather than importing it, so the same code works in the CommonJS and the ES
 * module build.
 *
 * @example
 * ```ts
 * packageVersion(process.argv[1]); // '0.1.0'
 * ```
 */
export function packageVersion(script: string | undefined): string {
  if (!script) return 'unknown';
  let folder: string;
  try {
    folder = dirname(realpathSync(script));
  } catch {
    return 'unknown';
  }
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      // dist/cjs/package.json only says { type: 'commonjs' }: keep walking up to the package's own.
      if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here
    }
    const parent = dirname(folder);
    if (parent === folder) return 'unknown';
    folder = parent;
  }
}
