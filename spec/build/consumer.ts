// Installing the packed package into a fresh app folder, as a user's `npm install` would, without
// the network: the package and each of its dependencies are packed from this project's own
// node_modules and installed from those tarballs (`--offline`), so npm resolves the package's
// dependencies and peer dependencies exactly as it would from the registry.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/** `npm pack` of a folder into `into`; the tarball's path. */
export function pack(folder: string, into: string): string {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into, folder], { cwd: root, encoding: 'utf8' });
  return join(into, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
}

/**
 * A fresh app folder with the packed package installed beside `dependencies` (name to a folder
 * under this project's node_modules, or to a tarball). Every package the install needs must be
 * among them or the package's own dependencies, which come from this project's node_modules.
 */
export function installApp(dependencies: Record<string, string>, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiss-app-'));
  const tarballs = join(dir, 'tarballs');
  mkdirSync(tarballs);
  const own = require(join(root, 'package.json')) as { dependencies: Record<string, string> };
  const fromHere = (folder: string) => `file:${pack(`./node_modules/${folder}`, tarballs)}`;
  // The package's own dependencies and theirs (tslib for rxjs), pinned to this project's copies.
  const overrides = Object.fromEntries([...Object.keys(own.dependencies), 'tslib'].map((name) => [name, fromHere(name)]));
  const app = join(dir, 'app');
  mkdirSync(app);
  const pkg = {
    name: 'app',
    private: true,
    type: 'module',
    dependencies: {
      'kiss-ai-stack-rx': `file:${pack('.', tarballs)}`,
      ...Object.fromEntries(Object.entries(dependencies).map(([name, folder]) => [name, fromHere(folder)])),
    },
    overrides,
  };
  writeFileSync(join(app, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text);
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, stdio: 'pipe' });
  return app;
}

/** Every installed copy of a package under an app's node_modules, by version. */
export function installedCopies(app: string, name: string): string[] {
  const found: string[] = [];
  const walk = (modules: string) => {
    let entries: string[];
    try {
      entries = readdirSync(modules);
    } catch {
      return;
    }
    for (const entry of entries) {
      const folders = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((sub) => join(entry, sub)) : [entry];
      for (const folder of folders) {
        if (folder === name) found.push((require(join(modules, folder, 'package.json')) as { version: string }).version);
        walk(join(modules, folder, 'node_modules'));
      }
    }
  };
  walk(join(app, 'node_modules'));
  return found;
}
