// `npm run demo` (the README's first command after install) runs the session API's whole
// lifecycle from the sources, with no build step, over REST and over the socket.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');
// Always the embedded server, even where KISS_STACK_URL points the conformance suite elsewhere.
const { KISS_STACK_URL: _external, ...env } = process.env;
const demo = (...args: string[]) =>
  execFileSync(process.execPath, [join(root, 'docs/demo/run.mjs'), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });

describe('npm run demo', () => {
  it.each([[[]], [['--socket']]])('runs open, ask, store, ask, destroy against the embedded server %j', (args) => {
    const lines = demo(...args).trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^server: http://127\\.0\\.0\\.1:\\d+ \\(embedded test server\\), over ${args.length ? 'socket' : 'rest'}$`));
    expect(lines.filter((line) => line.startsWith('✔')).map((line) => line.split(/\s+/)[1])).toEqual(['open', 'ask', 'store', 'ask', 'destroy']);
    expect(lines).toContain('✔ ask       Answer to "According to kiss.txt, what does KISS stand for?" from kiss.txt');
    expect(lines.at(-1)).toBe('done: the whole lifecycle ran.');
  });
});
