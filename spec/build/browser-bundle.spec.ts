import { build } from 'esbuild';
import { join } from 'node:path';

// The main entry must bundle for browsers: nothing it imports may pull in a Node built-in.
describe('main entry in a browser bundle', () => {
  it('bundles with platform browser and reaches no Node built-in', async () => {
    const result = await build({
      entryPoints: [join(__dirname, '../../lib/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('lib/client/kiss-client.ts'))).toBe(true);
    expect(inputs.some((i) => i.includes('lib/socket/multiplexed-socket.ts'))).toBe(true);
    expect(inputs.filter((i) => /^node:|\/jose\//.test(i))).toEqual([]);
    // `ws` must resolve to its browser stub (the global WebSocket is used there), not its Node code
    expect(inputs.filter((i) => /\/ws\//.test(i))).toEqual([expect.stringMatching(/\/ws\/browser\.js$/)]);
    // cross-fetch must resolve to its browser ponyfill, not node-fetch
    expect(inputs.filter((i) => i.includes('node-fetch'))).toEqual([]);
  });

  it('fails when something does pull in a Node built-in (the check can fail)', async () => {
    await expect(
      build({ stdin: { contents: "import 'node:fs';", resolveDir: __dirname }, bundle: true, platform: 'browser', write: false, logLevel: 'silent' }),
    ).rejects.toThrow(/node:fs/);
  });
});
