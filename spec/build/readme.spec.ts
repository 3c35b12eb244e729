// The README's first example must run as written (against the test server, with a real file).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transpileModule, ModuleKind, ScriptTarget } from 'typescript';
import { startTestServer, type TestServer } from '../../lib/testing';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

describe("the README's first example", () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.stop());

  it('is at most ten lines of code', () => {
    expect(example.split('\n').filter((line) => line.trim()).length).toBeLessThanOrEqual(10);
  });

  it('runs as written and prints a document-backed answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiss-readme-'));
    const handbook = join(dir, 'handbook.pdf');
    writeFileSync(handbook, 'Leave: 25 days a year.');
    const code = example.replace("'http://localhost:8080'", JSON.stringify(server.url)).replace("'./handbook.pdf'", JSON.stringify(handbook));
    expect(code).not.toBe(example);
    // Top-level await and imports: run it as the body of an async function over CommonJS.
    const { outputText } = transpileModule(`export {}; export async function main() {\n${code.replace(/^import .*$/gm, '')}\n}`, {
      compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022 },
    });
    const imports = [...code.matchAll(/^import \{ (.*) \} from '(.*)';$/gm)]
      .map(([, names, from]) => `const { ${names} } = require(${JSON.stringify(from === 'kiss-ai-stack-rx' ? '../../lib' : from)});`)
      .join('\n');
    const printed: unknown[][] = [];
    const module = { exports: {} as { main?: () => Promise<void> } };
    const fakeConsole = { log: (...args: unknown[]) => printed.push(args) };
    new Function('require', 'module', 'exports', 'console', `${imports}\n${outputText}`)(require, module, module.exports, fakeConsole);
    await module.exports.main!();
    expect(printed).toHaveLength(1);
    expect(printed[0]![0]).toBe('Answer to "What does the handbook say about leave?" from handbook.pdf');
    expect(JSON.stringify(printed[0]![1])).toContain('Leave: 25 days a year.');
  });
});
