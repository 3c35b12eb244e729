import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Reflection {
  id: number;
  name: string;
  kind: number;
  categories?: Array<{ title: string; children: number[] }>;
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

  it('documents each entry as a named module, the session API first and no internals', () => {
    const project = JSON.parse(readFileSync(out, 'utf8')) as Reflection;
    const modules = project.children ?? [];
    expect(modules.map((module) => module.name)).toEqual(expect.arrayContaining(['kiss-ai-stack-rx', 'kiss-ai-stack-rx/socket', 'kiss-ai-stack-rx/compat', 'kiss-ai-stack-rx/testing', 'kiss-ai-stack-rx/angular']));
    const main = modules.find((module) => module.name === 'kiss-ai-stack-rx')!;
    const titles = (main.categories ?? []).map((category) => category.title);
    expect(titles[0]).toBe('Session');
    expect(titles).not.toContain('Other');
    const names = (main.children ?? []).map((child) => child.name);
    expect(names).toEqual(expect.arrayContaining(['createSession', 'openSession', 'createClient', 'isKissError']));
    for (const internal of ['transition', 'initialSessionState', 'SessionEvent', 'TimeoutError']) expect(names).not.toContain(internal);
    const session = main.categories!.find((category) => category.title === 'Session')!;
    const sessionNames = session.children.map((id) => main.children!.find((child) => child.id === id)!.name);
    expect(sessionNames).toEqual(expect.arrayContaining(['createSession', 'Session', 'SessionOptions']));
  });
});
