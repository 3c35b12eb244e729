// The command line read into a command: defaults, where each setting comes from, what is refused.
import { parseCommandLine } from '../../lib/cli/args';
import { CliError, EXIT } from '../../lib/cli/exit-codes';
import { Interrupts } from '../../lib/cli/interrupts';
import { Output, secretsIn } from '../../lib/cli/output';

const url = 'http://localhost:8080';

describe('parseCommandLine', () => {
  it('reads ask with the defaults: REST, a temporary client, no timeout of its own, text output', () => {
    expect(parseCommandLine(['ask', 'What is', 'KISS?', '--url', url], {})).toEqual({
      command: 'ask',
      question: 'What is KISS?',
      connection: { url, transport: 'rest', scope: 'temporary', timeout: undefined, credentials: undefined, json: false },
    });
  });

  it('reads store with repeated --meta (the first = splits), --socket, --json, --timeout', () => {
    expect(parseCommandLine(['store', 'a.pdf', 'b.txt', '--meta', 'team=docs', '--meta', 'q=a=b', '--socket', '--json', '--timeout', '0'], { KISS_STACK_URL: url })).toEqual({
      command: 'store',
      files: ['a.pdf', 'b.txt'],
      metadata: { team: 'docs', q: 'a=b' },
      forceProgress: false,
      connection: { url, transport: 'socket', scope: 'temporary', timeout: 0, credentials: undefined, json: true },
    });
  });

  it('prefers --url to KISS_STACK_URL, and flags to the environment for credentials', () => {
    const env = { KISS_STACK_URL: 'http://127.0.0.1:1', KISS_STACK_CLIENT_ID: 'env-id', KISS_STACK_CLIENT_SECRET: 'env-secret' };
    const fromEnv = parseCommandLine(['chat', '--url', url, '--scope', 'persistent'], env);
    expect(fromEnv).toEqual({
      command: 'chat',
      connection: expect.objectContaining({ url, scope: 'persistent', credentials: { kind: 'given', clientId: 'env-id', clientSecret: 'env-secret', from: 'KISS_STACK_CLIENT_ID and KISS_STACK_CLIENT_SECRET' } }),
    });
    const fromFlags = parseCommandLine(['chat', '--scope', 'persistent', '--client-id', 'flag-id', '--client-secret', 'flag-secret'], env);
    expect(fromFlags).toEqual({
      command: 'chat',
      connection: expect.objectContaining({ url: env.KISS_STACK_URL, credentials: { kind: 'given', clientId: 'flag-id', clientSecret: 'flag-secret', from: '--client-id and --client-secret' } }),
    });
    const fromFile = parseCommandLine(['chat', '--scope', 'persistent', '--credentials', 'kiss.json'], env);
    expect(fromFile).toEqual({ command: 'chat', connection: expect.objectContaining({ credentials: { kind: 'file', path: 'kiss.json' } }) });
  });

  it('takes a value that starts with a dash after a space (one server secret in 64 does)', () => {
    const dashed = '-Jx0_secret-from-token_urlsafe';
    expect(parseCommandLine(['ask', 'hi', '--url', url, '--scope', 'persistent', '--client-id', 'id', '--client-secret', dashed], {})).toEqual({
      command: 'ask',
      question: 'hi',
      connection: expect.objectContaining({ credentials: { kind: 'given', clientId: 'id', clientSecret: dashed, from: '--client-id and --client-secret' } }),
    });
    expect(parseCommandLine(['store', 'a.txt', '--meta', '-k=v', '--url', url], {})).toMatchObject({ metadata: { '-k': 'v' } });
    // A forgotten value is still a usage error, not the next flag taken as the value...
    expect(() => parseCommandLine(['ask', 'hi', '--client-secret', '--url', url], {})).toThrow(CliError);
    // ...and after `--` everything is a positional, as before.
    expect(parseCommandLine(['ask', '--url', url, '--', '-not-a-flag?'], {})).toMatchObject({ question: '-not-a-flag?' });
  });

  it('answers --help and --version before anything else, and demo needs no server', () => {
    expect(parseCommandLine(['ask', '--help'], {})).toEqual({ command: 'help' });
    expect(parseCommandLine(['--version', 'frobnicate'], {})).toEqual({ command: 'version' });
    expect(parseCommandLine(['demo', '--socket'], {})).toEqual({ command: 'demo', transport: 'socket', timeout: undefined });
  });

  it.each([
    [['ask', 'hi', '--url', url, '--timeout', '-5']],
    [['ask', 'hi', '--url', url, '--timeout', '1.5']],
    [['ask', 'hi', '--url', url, '--json=yes']],
    [['ask', 'hi', '--url', url, '--scope', 'persistent', '--credentials', 'f', '--client-id', 'x']],
    [['ask', 'hi', '--url', url, '--scope', 'persistent', '--credentials', '']],
    [['store', '--url', url]],
    [['demo', 'extra']],
    [['demo', '--json']],
  ])('refuses %j as a usage error', (argv) => {
    let thrown: unknown;
    try {
      parseCommandLine(argv, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).exitCode).toBe(EXIT.usage);
  });
});

describe('secrets in output', () => {
  it('finds --client-secret values in a raw command line and the environment', () => {
    expect(secretsIn(['--client-secret', 'one-secret', '--client-secret=two-secret', 'ask'], { KISS_STACK_CLIENT_SECRET: 'three-secret' })).toEqual([
      'one-secret',
      'two-secret',
      'three-secret',
    ]);
    expect(secretsIn(['ask', '--client-secret'], {})).toEqual([]);
  });

  it('hides every known secret in everything written', () => {
    const written: string[] = [];
    const sink = { write: (text: string) => written.push(text) } as unknown as NodeJS.WritableStream;
    const output = new Output(sink, sink);
    output.addSecret('s3cret-value');
    output.addSecret('short');
    output.result('answer with s3cret-value twice: s3cret-value');
    output.notice('short stays: too common to hide');
    output.error(new Error('failed for s3cret-value'));
    expect(written).toEqual(['answer with [redacted] twice: [redacted]\n', 'short stays: too common to hide\n', 'kiss-stack: failed for [redacted]\n']);
  });
});

describe('Interrupts', () => {
  it('goes to the latest handler, then the one before, then the fallback', () => {
    const seen: string[] = [];
    const interrupts = new Interrupts(() => seen.push('fallback'));
    const offFirst = interrupts.on(() => seen.push('first'));
    const offSecond = interrupts.on(() => seen.push('second'));
    interrupts.emit();
    offSecond();
    interrupts.emit();
    offFirst();
    interrupts.emit();
    expect(seen).toEqual(['second', 'first', 'fallback']);
  });
});
