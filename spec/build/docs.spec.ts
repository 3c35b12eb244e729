import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Reflection {
  name: string;
  kind: number;
  comment?: { blockTags?: Array<{ tag: string }> };
  signatures?: Reflection[];
  children?: Reflection[];
}
const FUNCTION = 64;
const CLASS = 128;

// `npm run docs` treats every warning (an undocumented export, a broken link) as an error; every
// exported function and class also shows an example.
describe('the API reference', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'kiss-docs-')), 'api.json');
  let result: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    result = spawnSync('npx', ['typedoc', '--json', out], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
  }, 120_000);

  it('builds with typedoc without a single warning', () => {
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\[warning\]|\[error\]/);
    expect(result.status).toBe(0);
  });

  it('has an example for every exported function and class', () => {
    const project = JSON.parse(readFileSync(out, 'utf8')) as Reflection;
    const exported = (project.children ?? []).flatMap((module) => module.children ?? []);
    const hasExample = (r: Reflection) =>
      [r, ...(r.signatures ?? [])].some((x) => x.comment?.blockTags?.some((t) => t.tag === '@example'));
    const missing = exported.filter((r) => (r.kind === FUNCTION || r.kind === CLASS) && !hasExample(r)).map((r) => r.name);
    expect(exported.length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});
