/**
 * The command line of `kiss-stack`, read with Node's own `util.parseArgs` into a typed command.
 * Every check that needs no server happens here, so a bad command line exits 2 before anything
 * is sent.
 * @module
 */
import { parseArgs } from 'node:util';
import { resolveEndpoint, type Scope } from '../index.js';
import { usageError } from './exit-codes.js';

/** The options `kiss-stack` knows, for `util.parseArgs`. */
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  url: { type: 'string' },
  socket: { type: 'boolean' },
  scope: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  credentials: { type: 'string' },
  meta: { type: 'string', multiple: true },
  progress: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Parsed = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
type Values = Parsed['values'];

/** The options each command takes, beyond `--help` and `--version`. */
const CONNECTION_OPTIONS: readonly OptionName[] = ['url', 'socket', 'scope', 'json', 'timeout', 'client-id', 'client-secret', 'credentials'];
const COMMAND_OPTIONS: Record<Exclude<Command['command'], 'help' | 'version'>, readonly OptionName[]> = {
  ask: CONNECTION_OPTIONS,
  store: [...CONNECTION_OPTIONS, 'meta', 'progress'],
  chat: CONNECTION_OPTIONS,
  demo: ['socket', 'timeout'],
};

/** The environment variables `kiss-stack` reads. */
export const ENV = {
  url: 'KISS_STACK_URL',
  clientId: 'KISS_STACK_CLIENT_ID',
  clientSecret: 'KISS_STACK_CLIENT_SECRET',
} as const;

/** Where a persistent client's id and secret come from. */
export type CredentialSource =
  /** Given on the command line or in the environment (`from` names which, for messages). */
  | { readonly kind: 'given'; readonly clientId: string; readonly clientSecret: string; readonly from: string }
  /** A file holding them; when it does not exist yet, a new client is created and saved there. */
  | { readonly kind: 'file'; readonly path: string };

/** How to reach the server and as which client: what every command but `demo` needs. */
export interface Connection {
  /** The server's base URL (already checked with `resolveEndpoint`). */
  readonly url: string;
  /** `rest`, or `socket` with `--socket`. */
  readonly transport: 'rest' | 'socket';
  /** The client's scope. */
  readonly scope: Scope;
  /** The per-call deadline in ms (`--timeout`), when given. */
  readonly timeout: number | undefined;
  /** A persistent client's credentials; undefined for a temporary client. */
  readonly credentials: CredentialSource | undefined;
  /** Print results as JSON, one value a line. */
  readonly json: boolean;
}

/** A command line, read. */
export type Command =
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | { readonly command: 'ask'; readonly question: string; readonly connection: Connection }
  | {
      readonly command: 'store';
      readonly files: readonly string[];
      readonly metadata: Readonly<Record<string, string>>;
      /** `--progress`: show the progress bar even when stderr is not a terminal. */
      readonly forceProgress: boolean;
      readonly connection: Connection;
    }
  | { readonly command: 'chat'; readonly connection: Connection }
  | { readonly command: 'demo'; readonly transport: 'rest' | 'socket'; readonly timeout: number | undefined };

/**
 * Reads `argv` (without `node` and the script) and the environment into a {@link Command}.
 * Throws a usage {@link CliError} for anything that cannot work: an unknown command or flag, a
 * flag the command does not take, a missing or malformed value, a URL `resolveEndpoint` refuses,
 * credentials without `--scope persistent`, or a persistent scope without credentials.
 *
 * @example
 * ```ts
 * parseCommandLine(['ask', 'What is KISS?', '--url', 'http://localhost:8080'], {});
 * // { command: 'ask', question: 'What is KISS?', connection: { url: 'http://localhost:8080', transport: 'rest', scope: 'temporary', ... } }
 * ```
 */
/**
 * `--client-secret -x…` as `--client-secret=-x…`: the server's secrets are URL-safe base64, and one
 * in 64 starts with a dash, which `parseArgs` refuses as a value after a space (it takes it for a
 * flag). A value that starts with a dash is kept with its option unless it is itself one of the
 * known options (a forgotten value stays a usage error).
 */
function withDashedValues(argv: readonly string[]): string[] {
  const takesValue = new Set(Object.entries(OPTIONS).filter(([, option]) => option.type === 'string').map(([name]) => `--${name}`));
  const isOption = (arg: string) => arg === '-h' || arg === '--' || Object.keys(OPTIONS).some((name) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (takesValue.has(arg) && next !== undefined && next.startsWith('-') && !isOption(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else {
      args.push(arg);
    }
  }
  return args;
}

export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Command {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: withDashedValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs's messages name the flag, never its value: safe to print.
    throw usageError(firstSentence((error as Error).message));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [name, ...rest] = positionals;
  if (name === undefined) throw usageError('No command given.');
  if (!isCommandName(name)) throw usageError(`Unknown command "${name}"; the commands are ask, store, chat and demo.`);
  for (const option of Object.keys(values) as OptionName[]) {
    if (option !== 'help' && option !== 'version' && !COMMAND_OPTIONS[name].includes(option)) {
      throw usageError(name === 'demo' && option === 'url' ? 'demo runs on the embedded test server; it takes no --url.' : `${name} does not take --${option}.`);
    }
  }
  const timeout = values.timeout === undefined ? undefined : parseTimeout(values.timeout);
  const transport = values.socket ? 'socket' : 'rest';
  switch (name) {
    case 'demo':
      if (rest.length) throw usageError(`demo takes no arguments, not "${rest.join(' ')}".`);
      return { command: 'demo', transport, timeout };
    case 'ask': {
      const question = rest.join(' ').trim();
      if (!question) throw usageError('ask needs a question, e.g. kiss-stack ask "What is KISS?".');
      return { command: 'ask', question, connection: connection(values, env, transport, timeout) };
    }
    case 'store':
      if (!rest.length) throw usageError('store needs at least one file, e.g. kiss-stack store ./handbook.pdf.');
      return {
        command: 'store',
        files: rest,
        metadata: parseMetadata(values.meta ?? []),
        forceProgress: values.progress ?? false,
        connection: connection(values, env, transport, timeout),
      };
    case 'chat':
      if (rest.length) throw usageError(`chat takes no arguments, not "${rest.join(' ')}"; type the questions at its prompt.`);
      return { command: 'chat', connection: connection(values, env, transport, timeout) };
  }
}

const isCommandName = (name: string): name is keyof typeof COMMAND_OPTIONS => Object.hasOwn(COMMAND_OPTIONS, name);

/** parseArgs's first sentence (it goes on about `--` in a way that does not fit a usage line). */
const firstSentence = (message: string): string => /^[^.]*\./.exec(message)?.[0] ?? message;

function parseTimeout(text: string): number {
  const timeout = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(timeout)) {
    throw usageError(`--timeout takes a whole number of milliseconds (0 for none), not "${text}".`);
  }
  return timeout;
}

function parseMetadata(pairs: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`--meta takes key=value, not "${pair}".`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return metadata;
}

function connection(values: Values, env: Readonly<Record<string, string | undefined>>, transport: Connection['transport'], timeout: number | undefined): Connection {
  const url = values.url ?? env[ENV.url];
  if (!url) throw usageError(`No server given; pass --url (e.g. --url http://localhost:8080) or set ${ENV.url}.`);
  try {
    resolveEndpoint({ url });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const scope = values.scope ?? 'temporary';
  if (scope !== 'temporary' && scope !== 'persistent') throw usageError(`--scope is temporary or persistent, not "${scope}".`);
  return {
    url,
    transport,
    scope,
    timeout,
    credentials: credentialSource(values, env, scope),
    json: values.json ?? false,
  };
}

/**
 * A persistent client's credentials: from `--credentials FILE`, else from the flags, each falling
 * back to its environment variable. A temporary client takes none (the environment's are ignored,
 * so exporting them does not turn every command persistent); a persistent one must have some, since
 * a new client whose secret nobody kept could never be used again.
 */
function credentialSource(values: Values, env: Readonly<Record<string, string | undefined>>, scope: Scope): CredentialSource | undefined {
  const flagged = values['client-id'] !== undefined || values['client-secret'] !== undefined;
  if (scope === 'temporary') {
    if (flagged || values.credentials !== undefined) {
      throw usageError('--client-id, --client-secret and --credentials are for a persistent client; add --scope persistent.');
    }
    return undefined;
  }
  if (values.credentials !== undefined) {
    if (flagged) throw usageError('Give either --credentials FILE or --client-id and --client-secret, not both.');
    if (!values.credentials) throw usageError('--credentials needs a file name.');
    return { kind: 'file', path: values.credentials };
  }
  const clientId = values['client-id'] ?? env[ENV.clientId];
  const clientSecret = values['client-secret'] ?? env[ENV.clientSecret];
  if (clientId && clientSecret) {
    const from = flagged ? '--client-id and --client-secret' : `${ENV.clientId} and ${ENV.clientSecret}`;
    return { kind: 'given', clientId, clientSecret, from };
  }
  if (clientId || clientSecret) {
    throw usageError(`A persistent client needs both its id and its secret: --client-id and --client-secret (or ${ENV.clientId} and ${ENV.clientSecret}).`);
  }
  throw usageError(
    `--scope persistent needs the client's id and secret (--client-id and --client-secret, or ${ENV.clientId} and ${ENV.clientSecret}), ` +
      'or --credentials FILE, which creates a new persistent client and saves its id and secret in FILE when FILE does not exist yet.',
  );
}
