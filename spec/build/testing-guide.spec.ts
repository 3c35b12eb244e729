// The testing guide's example, as a new user would write it from docs/testing.md: its app file,
// its test and its jest config, copied from the guide into a fresh app that has the package
// installed, then run by jest under jsdom. The guide's test asserts the questions its widget
// asked and uses a scripted answer; if the guide or the kit drifts, this fails.
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackage, type InstalledPackage } from '../support/installed-package';

const root = join(__dirname, '../..');
const guide = readFileSync(join(root, 'docs/testing.md'), 'utf8');

/** The guide's code blocks that name their file in a first-line comment, by file name. */
function namedBlocks(text: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const match of text.matchAll(/^```(?:ts|js)\n\/\/ ([\w.-]+)\n([\s\S]*?)^```/gm)) files.set(match[1]!, match[2]!);
  return files;
}

describe('the testing guide, followed by a new user', () => {
  let installed: InstalledPackage;
  const files = namedBlocks(guide);

  beforeAll(() => {
    installed = installPackage();
    // What the guide tells the user to install beside the package.
    for (const name of ['rxjs', 'jest', 'ts-jest', 'jest-environment-jsdom', 'typescript', '@types']) {
      symlinkSync(join(root, 'node_modules', name), join(installed.app, 'node_modules', name), 'dir');
    }
    for (const [name, text] of files) writeFileSync(join(installed.app, name), text);
  }, 120_000);
  afterAll(() => installed.remove());

  it('has an app file, a test and a jest config', () => {
    expect([...files.keys()].sort()).toEqual(['chat.test.ts', 'chat.ts', 'jest.config.js']);
  });

  it("passes: a jsdom suite that asserts what its widget asked, with a scripted answer", () => {
    const result = spawnSync(process.execPath, [join(root, 'node_modules/jest/bin/jest.js'), '--ci', '--json', '--rootDir', installed.app], {
      cwd: installed.app,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const report = JSON.parse(result.stdout) as { numPassedTests: number; numFailedTests: number; testResults: Array<{ message: string }> };
    expect(report.testResults.map((r) => r.message).join('\n')).toBe('');
    expect(report).toMatchObject({ numPassedTests: 1, numFailedTests: 0 });
    expect(result.status).toBe(0);
  }, 120_000);
});
