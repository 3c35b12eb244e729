// The Angular guide's TestBed example, run as written: the block under "Testing with TestBed" in
// docs/angular.md is compiled and run here, its imports resolved to this project's sources (an
// app would get the installed package). One test goes through HttpClient and its interceptors,
// one without HttpClient; both against the embedded test server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';

const guide = readFileSync(join(__dirname, '../../docs/angular.md'), 'utf8');
const section = guide.slice(guide.indexOf('## Testing with TestBed'));
const example = /```ts\n([\s\S]*?)^```/m.exec(section)?.[1] ?? '';

const sources: Record<string, () => unknown> = {
  'kiss-ai-stack-rx': () => require('../../lib'),
  'kiss-ai-stack-rx/angular': () => require('../../lib/angular'),
  'kiss-ai-stack-rx/testing': () => require('../../lib/testing'),
  '@angular/core/testing': () => require('@angular/core/testing'),
  '@angular/common/http': () => require('@angular/common/http'),
  '@angular/common/http/testing': () => require('@angular/common/http/testing'),
  rxjs: () => require('rxjs'),
};

it('finds the TestBed example in the guide', () => {
  expect(example).toContain('TestBed.configureTestingModule');
  expect(example).toContain('httpClient: false');
});

// Its beforeAll, afterAll and tests join this file's, as if the user had pasted it in.
const { outputText } = transpileModule(example, { compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022 } });
const load = (specifier: string) => {
  const source = sources[specifier];
  if (!source) throw new Error(`the guide's example imports ${specifier}, which this spec does not provide`);
  return source();
};
new Function('require', 'exports', 'beforeAll', 'afterAll', 'it', 'expect', outputText)(load, {}, beforeAll, afterAll, it, expect);
