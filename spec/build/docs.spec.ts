import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// `npm run docs` treats every warning (an undocumented export, a broken link) as an error.
describe('the API reference', () => {
  it('builds with typedoc without a single warning', () => {
    const result = spawnSync('npx', ['typedoc', '--emit', 'none'], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\[warning\]|\[error\]/);
    expect(result.status).toBe(0);
  }, 120_000);
});
