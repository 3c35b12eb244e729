// Every ```ts block in the README and the guides compiles against the library as it is, so none
// can drift from the code. Each block is a module of its own; the names a snippet may take from
// its surroundings are declared in docs-code/prelude.d.ts (outside the project's own type-check).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const root = join(__dirname, '../..');
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

interface Block {
  document: string;
  line: number;
  file: string;
  code: string;
}

export function codeBlocks(document: string, text: string): Block[] {
  const blocks: Block[] = [];
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    const line = text.slice(0, match.index).split('\n').length + 1;
    // A block that starts with a file name comment (`// app.config.ts`) is that file, so that
    // another block of the same document can import it (`from './app.config'`).
    const named = /^\/\/ ([\w.-]+\.ts)\n/.exec(match[1]!)?.[1];
    const file = join(root, '.docs-blocks', document.replace(/[/.]/g, '_'), named ?? `block_${line}.ts`);
    blocks.push({ document, line, file, code: `${match[1]}\nexport {};\n` });
  }
  return blocks;
}

/** Compiles the blocks as one program (each its own module); the diagnostics, per block. */
function compile(blocks: Block[]): Map<Block, string[]> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node', 'jest'],
    baseUrl: root,
    paths: {
      'kiss-ai-stack-rx': ['lib/index.ts'],
      'kiss-ai-stack-rx/*': ['lib/*/index.ts'],
    },
  };
  const virtual = new Map(blocks.map((block) => [block.file, block.code]));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  const { directoryExists } = host;
  host.directoryExists = (dir) => [...virtual.keys()].some((file) => file.startsWith(`${dir}/`)) || (directoryExists?.call(host, dir) ?? false);
  const program = ts.createProgram([...virtual.keys(), join(__dirname, 'docs-code/prelude.d.ts')], options, host);
  const byFile = new Map<Block, string[]>(blocks.map((block) => [block, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const block = blocks.find((b) => b.file === diagnostic.file?.fileName);
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!block) throw new Error(`outside the code blocks: ${diagnostic.file?.fileName ?? ''} ${text}`);
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    byFile.get(block)!.push(`line ${block.line + line}: ${text}`);
  }
  return byFile;
}

describe('code blocks in the README and the guides', () => {
  const blocks = documents.flatMap((document) => codeBlocks(document, readFileSync(join(root, document), 'utf8')));
  const results = compile(blocks);

  it('finds the blocks of every guide', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    expect(new Set(blocks.map((block) => block.document)).has('README.md')).toBe(true);
  });

  it.each(blocks.map((block) => [`${block.document}:${block.line}`, block] as const))('%s compiles', (_where, block) => {
    expect(results.get(block)).toEqual([]);
  });

  it('fails on a block that does not match the library (the check can fail)', () => {
    const [bad] = codeBlocks('bad.md', "```ts\nimport { createSession } from 'kiss-ai-stack-rx';\ncreateSession({ uri: 'http://x' });\n```\n");
    expect(compile([bad!]).get(bad!)!.join('\n')).toMatch(/uri/);
  });
});
