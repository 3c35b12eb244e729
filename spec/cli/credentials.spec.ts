// A persistent client from the command line: its id and secret from a file, flags or the
// environment; never printed; never silently replaced by a new client.
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../lib/testing';
import { type BuiltCli, buildCli, runCli } from './cli-process';

let cli: BuiltCli;
let server: TestServer;
let folder: string;
/** A persistent client created by the CLI in beforeAll, and the file it saved. */
let saved: { clientId: string; clientSecret: string };
let savedFile: string;
let created: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  [cli, server] = await Promise.all([buildCli(), startTestServer()]);
  folder = mkdtempSync(join(tmpdir(), 'kiss-cli-credentials-'));
  savedFile = join(folder, 'kiss.json');
  created = await runCli(cli, ['ask', 'Who am I?', '--scope', 'persistent', '--credentials', savedFile, '--url', server.url]);
  saved = JSON.parse(readFileSync(savedFile, 'utf8')) as typeof saved;
});
afterAll(async () => {
  cli.dispose();
  await server.stop();
});

const persistentClients = () => server.clients.filter((client) => client.scope === 'persistent');
const output = (result: { stdout: string; stderr: string }) => `${result.stdout}${result.stderr}`;

describe('--credentials FILE', () => {
  it('creates a persistent client when FILE does not exist, saves it with mode 0600, and names it without its secret', () => {
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('Answer to "Who am I?"\n');
    expect(created.stderr).toBe(
      `Created persistent client ${saved.clientId}; its id and secret are saved in ${savedFile} (readable by you only). Pass --credentials ${savedFile} to use it again.\n`,
    );
    expect(saved.clientSecret.length).toBeGreaterThan(10);
    expect(output(created)).not.toContain(saved.clientSecret);
    if (process.platform !== 'win32') expect(statSync(savedFile).mode & 0o777).toBe(0o600);
    expect(persistentClients()).toEqual([expect.objectContaining({ id: saved.clientId, active: true, bootstrapped: false })]);
  });

  it('uses the saved client next time, and it stays active after the command', async () => {
    const result = await runCli(cli, ['ask', 'Again?', '--json', '--scope', 'persistent', '--credentials', savedFile, '--url', server.url]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ stackId: saved.clientId }));
    expect(persistentClients()).toHaveLength(1);
    expect(persistentClients()[0]!.active).toBe(true);
  });

  it('warns when FILE can be read by other users', async () => {
    if (process.platform === 'win32') return;
    const open = join(folder, 'open.json');
    writeFileSync(open, JSON.stringify(saved));
    chmodSync(open, 0o644);
    const result = await runCli(cli, ['ask', 'hi', '--scope', 'persistent', '--credentials', open, '--url', server.url]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`Warning: ${open} holds a client secret and can be read by other users; run chmod 600 ${open}.\n`);
  });

  it('refuses a file that is not a credentials file, without quoting it', async () => {
    const wrong = join(folder, 'wrong.json');
    writeFileSync(wrong, '{"token": "not-for-your-eyes"}', { mode: 0o600 });
    const result = await runCli(cli, ['ask', 'hi', '--scope', 'persistent', '--credentials', wrong, '--url', server.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`kiss-stack: --credentials ${wrong} is not a credentials file written by kiss-stack (JSON with clientId and clientSecret).\n`);
  });

  it('exits 2 before creating anything when FILE cannot be created', async () => {
    const before = server.clients.length;
    const result = await runCli(cli, ['ask', 'hi', '--scope', 'persistent', '--credentials', join(folder, 'no-such-folder', 'kiss.json'), '--url', server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/its folder cannot be written/);
    expect(server.clients).toHaveLength(before);
  });
});

describe('--client-id and --client-secret, or the environment', () => {
  it('uses the given client, and never prints its secret, even in an answer that echoes it', async () => {
    const flags = ['--scope', 'persistent', '--client-id', saved.clientId, '--client-secret', saved.clientSecret, '--url', server.url];
    const result = await runCli(cli, ['ask', `Is ${saved.clientSecret} my secret?`, '--json', ...flags]);
    expect(result.code).toBe(0);
    expect(output(result)).not.toContain(saved.clientSecret);
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ stackId: saved.clientId, text: 'Answer to "Is [redacted] my secret?"' }));
    expect(persistentClients()).toHaveLength(1);
  });

  it('reads them from KISS_STACK_CLIENT_ID and KISS_STACK_CLIENT_SECRET', async () => {
    const env = { KISS_STACK_CLIENT_ID: saved.clientId, KISS_STACK_CLIENT_SECRET: saved.clientSecret, KISS_STACK_URL: server.url };
    const result = await runCli(cli, ['store', savedFile, '--json', '--scope', 'persistent'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ stackId: saved.clientId, fileNames: ['kiss.json'] }));
    expect(output(result)).not.toContain(saved.clientSecret);
  });

  it('exits 3 when the server refuses them, creates no new client, and keeps the secret out of the output', async () => {
    const wrongSecret = 'wrong-secret-0123456789';
    const before = server.clients.length;
    const result = await runCli(cli, ['ask', 'hi', '--scope', 'persistent', '--client-id', saved.clientId, '--client-secret', wrongSecret, '--url', server.url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'kiss-stack: The server refused the persistent client\'s id and secret from --client-id and --client-secret: the client has ended or the secret is wrong. Nothing was created; check the credentials.\n',
    );
    expect(output(result)).not.toContain(wrongSecret);
    expect(server.clients).toHaveLength(before);
  });

  it('keeps a secret out of the output when the command line is wrong, and the temporary scope ignores the environment\'s', async () => {
    const secret = 'flag-secret-0123456789';
    for (const args of [
      ['ask', 'hi', '--client-secret', secret, '--bogus'],
      ['ask', `hi ${secret}`, '--client-secret', secret, '--url', server.url],
      ['frobnicate', `--client-secret=${secret}`],
    ]) {
      const result = await runCli(cli, args);
      expect(result.code).toBe(2);
      expect(output(result)).not.toContain(secret);
    }
    const temporary = await runCli(cli, ['ask', 'hi', '--url', server.url], { KISS_STACK_CLIENT_ID: saved.clientId, KISS_STACK_CLIENT_SECRET: secret });
    expect(temporary).toEqual({ code: 0, stdout: 'Answer to "hi"\n', stderr: '' });
  });
});
