/**
 * Where the CLI writes: results to stdout, everything else (progress, notices, errors) to stderr,
 * and nothing it writes ever shows a client secret.
 * @module
 */
import { redactText, scrubSecrets } from '../errors/redact.js';
import { isKissError } from '../index.js';
import { ENV } from './args.js';

/** A stream the CLI writes to: `process.stdout` or `process.stderr` (chat's line editor needs a real stream). */
export type TextSink = NodeJS.WritableStream & {
  /** True when the stream is a terminal (a progress bar and line editing are for people). */
  readonly isTTY?: boolean;
  /** The terminal's width in characters, when it is one. */
  readonly columns?: number;
};

/**
 * The CLI's two outputs. Every write passes through {@link Output.redact}: the library keeps
 * secrets out of its errors, and this keeps them out of everything else the CLI prints (an answer
 * that echoes a question, a message that quotes an argument).
 */
export class Output {
  readonly #secrets = new Set<string>();

  /**
   * @param stdout - results: answers, what was stored, JSON
   * @param stderr - progress, prompts, notices and errors
   */
  constructor(
    readonly stdout: TextSink,
    readonly stderr: TextSink,
  ) {}

  /** Remembers a secret (a client secret, from a flag, the environment or a file) to hide from now on. */
  addSecret(secret: string | undefined): void {
    // Too short a secret would hide common text: scrubSecrets skips those (under 6 characters).
    if (secret) this.#secrets.add(secret);
  }

  /**
   * `text` with every known secret, and anything shaped like a token (a JWT, a bearer header),
   * replaced by `[redacted]`: the library's own redaction, applied to everything the CLI writes.
   */
  redact(text: string): string {
    return redactText(scrubSecrets(text, [...this.#secrets]));
  }

  /** A line of results on stdout. */
  result(line: string): void {
    this.stdout.write(`${this.redact(line)}\n`);
  }

  /** A line for the user on stderr. */
  notice(line: string): void {
    this.stderr.write(`${this.redact(line)}\n`);
  }

  /** Text on stderr as is (redacted), for progress and prompts that manage their own lines. */
  raw(text: string): void {
    this.stderr.write(this.redact(text));
  }

  /** An error on stderr: its message, a plain sentence; never a stack trace. */
  error(error: unknown): void {
    this.notice(`kiss-stack: ${describeError(error)}`);
  }
}

/** An error's message for the user: the library's and the CLI's messages are sentences already. */
function describeError(error: unknown): string {
  if (isKissError(error)) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * The values of `--client-secret` in a raw command line and of `KISS_STACK_CLIENT_SECRET`: what
 * output must hide even when the command line cannot be read (a typo in another flag).
 *
 * @example
 * ```ts
 * secretsIn(['ask', 'hi', '--client-secret=abc123'], {}); // ['abc123']
 * ```
 */
export function secretsIn(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets: string[] = [];
  argv.forEach((arg, index) => {
    if (arg === '--client-secret' && index + 1 < argv.length) secrets.push(argv[index + 1]!);
    else if (arg.startsWith('--client-secret=')) secrets.push(arg.slice('--client-secret='.length));
  });
  const fromEnv = env[ENV.clientSecret];
  if (fromEnv) secrets.push(fromEnv);
  return secrets;
}
