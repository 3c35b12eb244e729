// The package as a user's app has it: its package.json and a fresh CommonJS build (what jest
// loads) in node_modules/kiss-ai-stack-rx of a temporary app, its dependencies those of this
// repository. A spec then resolves `kiss-ai-stack-rx/testing` from that app with jest's own
// `require.resolve(name, { paths })`: through the exports map, with the test environment's
// conditions (jsdom's include `browser`), as an import in the user's own suite would. Built apart
// from dist/, so it never races the build spec, which empties dist/ first.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');

export interface InstalledPackage {
  /** The app's folder: resolve from here. */
  readonly app: string;
  /** Deletes the app. */
  remove(): void;
}

/** Builds and installs the package into a new temporary app. */
export function installPackage(): InstalledPackage {
  const app = mkdtempSync(join(tmpdir(), 'kiss-app-'));
  const pkg = join(app, 'node_modules', 'kiss-ai-stack-rx');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.cjs.json'), '--outDir', join(pkg, 'dist/cjs')], { stdio: 'pipe' });
  writeFileSync(join(pkg, 'dist/cjs/package.json'), JSON.stringify({ type: 'commonjs' }));
  // Its dependencies, found the way an installed package finds them: in a node_modules above it.
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  return { app, remove: () => rmSync(app, { recursive: true, force: true }) };
}
