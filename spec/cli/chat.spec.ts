// `kiss-stack chat` as a child process: questions on stdin, answers on stdout, Ctrl-C as SIGINT.
import { startTestServer, type TestServer } from '../../lib/testing';
import { type BuiltCli, buildCli, type CliProcess, startCli } from './cli-process';
import { abandoned, startWatchingProxy, type WatchingProxy } from './watching-proxy';

const PROMPT = 'kiss> ';

let cli: BuiltCli;
beforeAll(async () => (cli = await buildCli()));
afterAll(() => cli.dispose());

let server: TestServer;
let running: CliProcess | undefined;
let proxy: WatchingProxy | undefined;
beforeEach(async () => (server = await startTestServer()));
afterEach(async () => {
  running?.child.kill('SIGKILL');
  running = undefined;
  await proxy?.stop();
  proxy = undefined;
  await server.stop();
});

const chat = (...args: string[]) => (running = startCli(cli, ['chat', '--url', server.url, ...args]));
const clientsLeft = () => server.clients.filter((client) => client.active).length;
/** Resolves once the child printed `count` prompts: it is waiting for a line. */
const prompts = (child: CliProcess, count: number) => child.waitFor('stderr', (text) => text.split(PROMPT).length - 1 >= count);

/** Types a question the server holds for a minute (what comes after it is answered at once); resolves once it arrived. */
async function askSlowly(child: CliProcess, question: string): Promise<void> {
  server.setLatency(60_000);
  child.write(`${question}\n`);
  await server.waitForRequest((request) => request.path === '/queries');
  server.setLatency(0);
}

describe('kiss-stack chat', () => {
  it.each([['rest'], ['socket']])('answers each line on stdout until end of input, then destroys the session (%s)', async (transport) => {
    const child = chat(...(transport === 'socket' ? ['--socket'] : []));
    child.write('What is KISS?\n\nAnd RxJS?\n');
    child.endInput();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stdout).toBe('Answer to "What is KISS?"\nAnswer to "And RxJS?"\n');
    expect(child.stderr).toBe(PROMPT.repeat(4));
    expect(server.clients).toHaveLength(1);
    expect(clientsLeft()).toBe(0);
  });

  it('prints whole answers as JSON lines with --json', async () => {
    const child = chat('--json');
    child.write('What is KISS?\n');
    child.endInput();
    expect((await child.exited).code).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual(expect.objectContaining({ question: 'What is KISS?', text: 'Answer to "What is KISS?"' }));
  });

  it('Ctrl-C during a slow question cancels it and the prompt returns; the next question is answered', async () => {
    proxy = await startWatchingProxy(server);
    const child = (running = startCli(cli, ['chat', '--url', proxy.url]));
    await prompts(child, 1);
    await askSlowly(child, 'Slow?');
    child.interrupt();
    await child.waitFor('stderr', (text) => text.endsWith(`(cancelled)\n${PROMPT}`));
    // Cancelled, not just left behind: the client closed the question's connection, unanswered.
    await proxy.waitFor(abandoned('POST', '/queries'));
    child.write('Fast?\n');
    await child.waitFor('stdout', (text) => text.includes('Answer to "Fast?"'));
    child.endInput();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stdout).toBe('Answer to "Fast?"\n');
    expect(clientsLeft()).toBe(0);
  });

  it('a second Ctrl-C after cancelling a question destroys the session and exits', async () => {
    const child = chat();
    await prompts(child, 1);
    await askSlowly(child, 'Slow?');
    child.interrupt();
    await child.waitFor('stderr', (text) => text.includes('(cancelled)'));
    expect(clientsLeft()).toBe(1);
    child.interrupt();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stdout).toBe('');
    expect(server.clients.map((client) => client.active)).toEqual([false]);
    expect(server.requests.filter((request) => request.path === '/sessions').map((request) => request.status)).toEqual([200, 200]);
  });

  it('Ctrl-C at the prompt says how to leave; a second one leaves', async () => {
    const child = chat();
    await prompts(child, 1);
    child.interrupt();
    await child.waitFor('stderr', (text) => text.includes('(To exit, press Ctrl-C again or Ctrl-D.)'));
    await prompts(child, 2);
    child.interrupt();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(clientsLeft()).toBe(0);
  });

  it('a line between two Ctrl-Cs starts the count again', async () => {
    const child = chat();
    await prompts(child, 1);
    child.interrupt();
    await prompts(child, 2);
    child.write('Still here?\n');
    await child.waitFor('stdout', (text) => text.includes('Answer to "Still here?"'));
    await prompts(child, 3);
    child.interrupt();
    await child.waitFor('stderr', (text) => text.split('(To exit').length === 3);
    expect(clientsLeft()).toBe(1);
    child.endInput();
    expect((await child.exited).code).toBe(0);
    expect(clientsLeft()).toBe(0);
  });

  it('prints a failed question and goes on; --timeout limits each question', async () => {
    const child = chat('--timeout', '300');
    await prompts(child, 1);
    await askSlowly(child, 'Too slow?');
    await child.waitFor('stderr', (text) => /kiss-stack: No answer during ask within 300 ms/.test(text));
    child.write('Quick?\n');
    child.endInput();
    expect((await child.exited).code).toBe(0);
    expect(child.stdout).toBe('Answer to "Quick?"\n');
    expect(child.stderr).not.toMatch(/^\s+at /m);
  });
});
