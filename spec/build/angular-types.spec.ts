// The Angular entry type-checks against the Angular it is tested with (21, installed) and against
// the latest Angular (22, whose runtime needs Node 22, so only its declarations are used: they
// come from spec/angular/latest, a local package `npm ci` installs beside the project's own
// node_modules). tsc runs on lib/angular and on spec/angular/support/consumer.ts, code written the
// way docs/angular.md shows, whose `@ts-expect-error` lines prove the types are really resolved.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const latest = join(root, 'spec/angular/latest/node_modules/@angular');
const versionOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'core/package.json'), 'utf8')) as { version: string }).version;
const installed = versionOf(join(root, 'node_modules/@angular'));
const newest = versionOf(latest);

jest.setTimeout(120_000);

/** Runs the project's tsc on a tsconfig; returns its output (empty when it found nothing). */
function tsc(project: string, extra: string[] = []): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project, ...extra], { cwd: root, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const compilerOptions = {
  target: 'ES2022',
  lib: ['ES2022', 'DOM'],
  module: 'ES2022',
  moduleResolution: 'Bundler',
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  isolatedModules: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
};

describe('the Angular entry’s types', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'kiss-angular-types-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`check against the installed Angular ${installed}, the specs included`, () => {
    const project = join(dir, 'installed.json');
    writeFileSync(
      project,
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: { noEmit: true, typeRoots: [join(root, 'node_modules/@types')] },
        include: [join(root, 'lib/angular'), join(root, 'spec/angular/**/*.ts')],
      }),
    );
    const { status, output } = tsc(project);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it(`check against the latest Angular, ${newest} (declarations only)`, () => {
    expect(Number(newest.split('.')[0])).toBeGreaterThan(Number(installed.split('.')[0]));
    // A project of its own: lib/ copied, node_modules linking the project's packages, with
    // @angular/core and @angular/common taken from the latest Angular.
    const project = join(dir, 'latest');
    cpSync(join(root, 'lib'), join(project, 'lib'), { recursive: true });
    mkdirSync(join(project, 'node_modules/@angular'), { recursive: true });
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name !== '@angular' && name !== '.bin') symlinkSync(join(root, 'node_modules', name), join(project, 'node_modules', name));
    }
    for (const name of ['core', 'common']) symlinkSync(join(latest, name), join(project, 'node_modules/@angular', name));
    cpSync(join(root, 'spec/angular/support/consumer.ts'), join(project, 'spec/angular/support/consumer.ts'));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, paths: { 'kiss-ai-stack-rx': ['./lib/index.ts'], 'kiss-ai-stack-rx/socket': ['./lib/socket/index.ts'] } }, include: ['lib/angular', 'spec/angular/support/consumer.ts'] }),
    );
    const { status, output } = tsc(join(project, 'tsconfig.json'));
    expect(output).toBe('');
    expect(status).toBe(0);
    // The declarations checked were the latest Angular's, not the installed one's.
    const files = tsc(join(project, 'tsconfig.json'), ['--listFilesOnly']).output.split('\n');
    expect(files.filter((f) => f.includes('/spec/angular/latest/node_modules/@angular/core/types/core.d.ts'))).toHaveLength(1);
    expect(files.filter((f) => f.includes(`${root}/node_modules/@angular/`))).toEqual([]);
  });
});
