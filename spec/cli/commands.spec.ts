// `kiss-stack` ask, store and demo, run as a child process against the embedded test server, and
// the exit code of each kind of failure.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../lib/testing';
import { type BuiltCli, buildCli, type CliProcess, runCli, startCli } from './cli-process';
import { abandoned, startWatchingProxy, type WatchingProxy } from './watching-proxy';

const version = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

let cli: BuiltCli;
let server: TestServer;
let files: string;
beforeAll(async () => {
  [cli, server] = await Promise.all([buildCli(), startTestServer()]);
  files = mkdtempSync(join(tmpdir(), 'kiss-cli-'));
});
afterAll(async () => {
  cli.dispose();
  await server.stop();
});

const activeTemporaryClients = () => server.clients.filter((client) => client.scope === 'temporary' && client.active).length;

describe('kiss-stack ask', () => {
  it('prints the answer and destroys its temporary client', async () => {
    const result = await runCli(cli, ['ask', 'What is KISS?', '--url', server.url]);
    expect(result).toEqual({ code: 0, stdout: 'Answer to "What is KISS?"\n', stderr: '' });
    expect(activeTemporaryClients()).toBe(0);
  });

  it('prints the whole answer as one line of JSON with --json, over the socket too', async () => {
    for (const transport of [[], ['--socket']]) {
      const result = await runCli(cli, ['ask', 'What is KISS?', '--json', ...transport, '--url', server.url]);
      expect(result.code).toBe(0);
      expect(result.stdout.split('\n')).toEqual([expect.any(String), '']);
      expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ question: 'What is KISS?', text: 'Answer to "What is KISS?"', supportingDocuments: null }));
    }
  });

  it('takes the server from KISS_STACK_URL, and the words of the question as one question', async () => {
    const result = await runCli(cli, ['ask', 'What', 'is', 'KISS?'], { KISS_STACK_URL: server.url });
    expect(result).toEqual({ code: 0, stdout: 'Answer to "What is KISS?"\n', stderr: '' });
  });
});

describe('kiss-stack store', () => {
  const write = (name: string, bytes: number) => {
    const path = join(files, name);
    writeFileSync(path, 'x'.repeat(bytes));
    return path;
  };

  it('prints the files and ids, and no progress when stderr is piped', async () => {
    const result = await runCli(cli, ['store', write('a.txt', 10), write('b.txt', 20), '--url', server.url]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('stored a.txt, b.txt');
    expect(lines[1]).toMatch(/^documents: \S+-doc-1, \S+-doc-2$/);
    expect(activeTemporaryClients()).toBe(0);
  });

  it('prints the StoreResult as JSON with --json', async () => {
    const result = await runCli(cli, ['store', write('c.txt', 10), '--json', '--url', server.url]);
    expect(result.code).toBe(0);
    const stored = JSON.parse(result.stdout) as { fileNames: string[]; ids: string[]; documentIds: Record<string, string[]> };
    expect(stored.fileNames).toEqual(['c.txt']);
    expect(stored.ids).toHaveLength(1);
    expect(stored.documentIds).toEqual({ documents: stored.ids });
  });

  it('draws a progress bar per file, in bytes of the total, as on a terminal (--progress)', async () => {
    const result = await runCli(cli, ['store', write('big.bin', 3 * 1024 * 1024), write('small.bin', 1024 * 1024), '--progress', '--url', server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^stored big\.bin, small\.bin\n/);
    // One line left behind per file, each redrawn in place (\r) up to that file's end.
    const lines = result.stderr.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[0]!.split('\r').at(-1)).toBe('big.bin (1/2)  [###############.....]  3.0 MiB of 4.0 MiB  75%\u001b[K');
    expect(lines[1]!.split('\r').at(-1)).toBe('small.bin (2/2)  [####################]  4.0 MiB of 4.0 MiB 100%\u001b[K');
    const percents = [...result.stderr.matchAll(/(\d+)%/g)].map((match) => Number(match[1]));
    expect(percents.length).toBeGreaterThan(10);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it('sends the --meta pairs as the documents\' metadata', async () => {
    const credentials = join(files, 'meta-client.json');
    const persistent = ['--scope', 'persistent', '--credentials', credentials, '--url', server.url];
    expect((await runCli(cli, ['store', write('handbook.txt', 5), '--meta', 'team=docs', '--meta', 'note=a=b', ...persistent])).code).toBe(0);
    const answer = await runCli(cli, ['ask', 'Which team?', '--json', ...persistent]);
    expect(JSON.parse(answer.stdout)).toEqual(expect.objectContaining({ metadata: [[{ team: 'docs', note: 'a=b' }]] }));
  });

  it('exits 6 naming a missing file, without a stack trace, and stores nothing', async () => {
    const result = await runCli(cli, ['store', join(files, 'missing.pdf'), '--url', server.url]);
    expect(result.code).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^kiss-stack: .*missing\.pdf/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    noStackTrace(result.stderr);
    expect(activeTemporaryClients()).toBe(0);
  });
});

describe('kiss-stack demo', () => {
  it.each([['rest'], ['socket']])('runs the lifecycle on its own embedded server, over %s', async (transport) => {
    const result = await runCli(cli, ['demo', ...(transport === 'socket' ? ['--socket'] : [])]);
    expect(result.code).toBe(0);
    const steps = result.stdout.split('\n').filter((line) => line.startsWith('✔')).map((line) => line.split(/\s+/)[1]);
    expect(steps).toEqual(['open', 'store', 'ask', 'destroy']);
    expect(result.stdout).toContain(`over ${transport}`);
    expect(result.stdout).toContain('Answer to "According to kiss.txt, what does KISS stand for?" from kiss.txt');
    expect(result.stdout).toContain('the temporary client has ended on the server');
  });
});

describe('the command line', () => {
  it('prints the usage with the exit codes for --help and -h, and the version for --version', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await runCli(cli, [flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: kiss-stack <command>/);
      expect(result.stdout).toMatch(/Exit codes:\n {2}0 {4}success\n/);
    }
    expect(await runCli(cli, ['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  // `URL` stands for the test server's address.
  it.each([
    [['ask', 'hi', '--bogus', '--url', 'URL'], /Unknown option '--bogus'/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [[], /No command given/],
    [['ask', '--url', 'URL'], /ask needs a question/],
    [['ask', 'hi'], /No server given; pass --url/],
    [['ask', 'hi', '--url', 'ftp://example.com'], /must start with http:\/\//],
    [['ask', 'hi', '--url', 'http://example.com'], /not encrypted and not this machine/],
    [['ask', 'hi', '--timeout', 'soon', '--url', 'URL'], /--timeout takes a whole number/],
    [['ask', 'hi', '--scope', 'forever', '--url', 'URL'], /--scope is temporary or persistent/],
    [['ask', 'hi', '--progress', '--url', 'URL'], /ask does not take --progress/],
    [['store', 'a.txt', '--meta', 'novalue', '--url', 'URL'], /--meta takes key=value/],
    [['demo', '--url', 'URL'], /demo runs on the embedded test server/],
    [['chat', 'now', '--url', 'URL'], /chat takes no arguments/],
    [['ask', 'hi', '--scope', 'persistent', '--url', 'URL'], /--scope persistent needs the client's id and secret/],
    [['ask', 'hi', '--scope', 'persistent', '--client-id', 'x', '--url', 'URL'], /needs both its id and its secret/],
    [['ask', 'hi', '--client-id', 'x', '--client-secret', 'y', '--url', 'URL'], /are for a persistent client/],
  ])('exits 2 with the usage on stderr for %j', async (args, message) => {
    const result = await runCli(cli, args.map((arg) => (arg === 'URL' ? server.url : arg)));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('\nUsage: kiss-stack <command>');
    noStackTrace(result.stderr);
  });
});

describe('exit codes for failures', () => {
  it('exits 3 when the server refuses the authorization', async () => {
    server.failNext(1, 401);
    const result = await runCli(cli, ['ask', 'hi', '--url', server.url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^kiss-stack: The server refused the request during authorize as unauthorized/);
    noStackTrace(result.stderr);
  });

  it('exits 4 when the server fails', async () => {
    server.failNext(1, 500);
    const result = await runCli(cli, ['ask', 'hi', '--url', server.url]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^kiss-stack: .*500/);
    noStackTrace(result.stderr);
  });

  it('exits 5 when the connection is refused', async () => {
    const gone = await startTestServer();
    await gone.stop();
    const result = await runCli(cli, ['ask', 'hi', '--url', gone.url]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^kiss-stack: Could not reach the server.*ECONNREFUSED/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    noStackTrace(result.stderr);
  });

  it('exits 5 when --timeout passes', async () => {
    const slow = await startTestServer({ latencyMs: 60_000 });
    try {
      const result = await runCli(cli, ['ask', 'hi', '--timeout', '200', '--url', slow.url]);
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/^kiss-stack: .*200 ms/);
      noStackTrace(result.stderr);
    } finally {
      await slow.stop();
    }
  });
});

describe('Ctrl-C during ask', () => {
  let slow: TestServer;
  let proxy: WatchingProxy;
  let child: CliProcess | undefined;
  beforeEach(async () => {
    slow = await startTestServer();
    proxy = await startWatchingProxy(slow);
  });
  afterEach(async () => {
    child?.child.kill('SIGKILL');
    await proxy.stop();
    await slow.stop();
  });

  it('cancels the question at once, destroys the session and exits 130', async () => {
    child = startCli(cli, ['ask', 'Slow?', '--url', proxy.url]);
    // The latency a request gets is read when it arrives: bootstrap is quick, the question slow.
    await slow.waitForRequest((request) => request.path === '/sessions');
    slow.setLatency(60_000);
    await slow.waitForRequest((request) => request.path === '/queries');
    slow.setLatency(0);
    // The destroy waits in the proxy, so the CLI is still running when the question's connection closes.
    proxy.hold((line) => line.startsWith('POST /sessions?action=close '));
    child.interrupt();
    await proxy.waitFor(abandoned('POST', '/queries'));
    proxy.release();
    expect(await child.exited).toEqual({ code: 130, signal: null });
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe('kiss-stack: Interrupted (Ctrl-C): the request in flight was cancelled.\n');
    expect(slow.clients.map((client) => client.active)).toEqual([false]);
  });
});
